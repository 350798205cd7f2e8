// Every long-lived page state, created once and provided to components through one typed context.
// Each state owns what it names (the LLM state owns the LLM worker's client, the knowledge state the
// knowledge worker's); AppState keeps preferences, URL overrides, routing and formatting only.
// Screens loaded on demand create their states through `once`, so that code stays out of the first load.

import { getContext, setContext } from 'svelte';
import { AppState } from './app.svelte';
import { KnowledgeState } from './knowledge.svelte';
import { LabState } from './lab.svelte';
import { LibraryState } from './library.svelte';
import { LlmState } from './llm.svelte';
import { ModelChoices } from './model-choices.svelte';
import { UserModelsState } from './user-models.svelte';
import { ServersState } from './servers.svelte';
import { PwaState } from './pwa.svelte';
import { SampleState } from './sample.svelte';
import { SearchState } from './search.svelte';
import { WorkspaceState } from './workspace.svelte';
import { pageDb } from '../store/page-db';

export class States {
  readonly app = new AppState();
  /** Every model a lane can use, by key; sources (model files, servers) join it. */
  readonly models = new ModelChoices(this.app);
  readonly llm = new LlmState(this.models, this.app);
  /** The user's own model files (GGUF, ONNX folders): a source of models for every Model list. */
  readonly userModels = new UserModelsState(pageDb);
  /** Models on OpenAI-compatible servers the user added: another source of models; loaded ones are unloaded when their server changes. */
  readonly servers = new ServersState({
    forget: (keys) => {
      keys.forEach((k) => void this.llm.unload(k).catch(() => undefined));
      // A server embedder whose server changed stops sending; the next search or "Embed the rest" loads (and asks) again.
      if (this.knowledge.forgetEmbedder(keys)) this.library.cancelEmbedding();
    },
    declined: (host) => this.app.t('servers.declined', { host }),
    declinedEmbed: (host) => this.app.t('servers.embed.declined', { host }),
    embedServerGone: (model) => this.app.t('servers.embed.gone', { model }),
    ipv6: (url) => this.app.t('servers.ipv6', { url }),
    storageFailed: () => this.app.t('servers.storageFailed'),
  });
  /** The embedder can be a server model: its plan comes from the servers, after the user allowed texts to go there. */
  readonly knowledge = new KnowledgeState(this.app, { serverEmbedder: (key) => this.servers.embedPlan(key) });
  readonly library = new LibraryState(this.knowledge, pageDb, (id) => this.app.setEmbedder(id));
  readonly lab = new LabState({ llm: this.llm, models: this.models, knowledge: this.knowledge, db: pageDb, prefs: this.app, err: this.app.err });
  readonly search = new SearchState(this.knowledge);
  readonly sample = new SampleState(this.app, this.library, this.lab);
  readonly workspace = new WorkspaceState(this.knowledge, this.library, this.lab);
  readonly pwa = new PwaState();
  #lazy = new Map<symbol, unknown>();

  constructor() {
    this.models.addSource(this.userModels);
    this.models.addSource(this.servers);
  }

  /**
   * A screen's state, made on first use and kept for the page's life (a run survives switching screens).
   * Made in its own effect root: a state created while a component mounts would otherwise have its
   * deriveds owned by that component, and they would stop updating once the screen is left.
   */
  once<T>(key: symbol, make: (s: States) => T): T {
    if (!this.#lazy.has(key)) $effect.root(() => void this.#lazy.set(key, make(this)));
    return this.#lazy.get(key) as T;
  }

  /** Reads what the first screen shows; opening IndexedDB must not delay the first paint. */
  start(): void {
    queueMicrotask(() => {
      void this.library.init().then(() => this.knowledge.openIndex()).catch((e: unknown) => (this.library.loadError = e));
      void this.lab.init();
      void this.userModels.refresh().catch((e: unknown) => (this.userModels.error = e));
      this.servers.start();
    });
  }
}

const KEY = Symbol('states');
export const setStates = (s: States): States => setContext(KEY, s);
export const useStates = (): States => getContext<States>(KEY);
/** The app's preferences, routing and formatting (the state nearly every component reads). */
export const useApp = (): AppState => useStates().app;
