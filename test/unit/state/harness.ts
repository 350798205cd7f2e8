// Page states wired to the REAL worker handlers, run in-process over the real RPC client, with the
// offline fixture models and a fresh fake-indexeddb database: what the page does, minus the browser.

import 'fake-indexeddb/auto';
import fs from 'node:fs';
import path from 'node:path';
import { KnowledgeClient } from '../../../src/clients/knowledge-client';
import { LlmClient } from '../../../src/clients/llm-client';
import { DEFAULT_HOST_SETTING, resolveHosts, type ResolvedHosts } from '../../../src/models/hosts';
import type { DevicePref } from '../../../src/protocol/messages';
import { openDb, type LabDb } from '../../../src/store/db';
import { KnowledgeState } from '../../../src/state/knowledge.svelte';
import { LlmState } from '../../../src/state/llm.svelte';
import { ModelChoices } from '../../../src/state/model-choices.svelte';
import { createKnowledgeHandler } from '../../../workers/knowledge-handler';
import { createLlmHandler } from '../../../workers/llm-handler';
import { inProcess } from '../helpers/in-process-worker';
import type { EnginePref } from '../../../src/models/engine-select';

export const MODELS = path.resolve(__dirname, '../../../../shared/models') + '/';
export const ECHO = 'lab-fixtures/qwen2-tokenizer-echo';
export const EMBED = 'lab-fixtures/bge-small-zh-v1.5-tokenizer-hashed-bow';

export function checkFixtures(): void {
  for (const id of [ECHO, EMBED]) {
    if (!fs.existsSync(path.join(MODELS, id, 'config.json'))) throw new Error(`Fixture model folder missing: ${path.join(MODELS, id)} (see shared/models/README.md)`);
  }
}

export const hosts: ResolvedHosts = { ...resolveHosts(DEFAULT_HOST_SETTING, 'http://x/'), localPath: MODELS };
const noGpu = async () => ({ available: false, f16: false });

/** Live preferences, as AppState provides them. */
export interface Prefs {
  lang: 'en' | 'zh';
  llmId: string;
  embedderId: string;
  engine: EnginePref;
  device: DevicePref;
  hosts: ResolvedHosts | null;
}

export function prefs(over: Partial<Prefs> = {}): Prefs {
  return { lang: 'en', llmId: ECHO, embedderId: EMBED, engine: 'transformers.js', device: 'wasm', hosts, ...over };
}

let counter = 0;
/** A database name no other test uses; `db()` opens it (each page load opens its own connection). */
export function freshDbName(): { name: string; db: () => Promise<LabDb> } {
  const name = `state-${process.pid}-${++counter}-${Date.now()}`;
  let open: Promise<LabDb> | null = null;
  return { name, db: () => (open ??= openDb(name)) };
}

/** The knowledge state over the real handler and a database named `dbName` (a "page load"). */
export function knowledgeState(dbName: string, p: Prefs) {
  const factory = inProcess((post) => createKnowledgeHandler(post, { db: () => openDb(dbName) }));
  const client = new KnowledgeClient(factory);
  return { client, workers: factory.workers, state: new KnowledgeState(p, { client, gpu: noGpu }) };
}

export function llmState(p: Prefs, budgetMB?: () => number) {
  const factory = inProcess(createLlmHandler);
  const client = new LlmClient(factory);
  const models = new ModelChoices(p);
  return { client, models, workers: factory.workers, state: new LlmState(models, p, { client, gpu: noGpu, ...(budgetMB ? { budgetMB } : {}) }) };
}

export const utf8 = (s: string): ArrayBuffer => new TextEncoder().encode(s).buffer as ArrayBuffer;
