// Fine-tuning data from accepted answers or a test set's training questions (optionally RAFT-style, shaped
// like the RAG prompt at inference so a tuned model learns to answer from passages and cite them), written
// for OpenAI, LLaMA-Factory or ms-swift and packaged as one download (a ZIP when a format has several files).

import { strToU8, zipSync } from 'fflate';
import type { EvalConfig, EvalItemResult } from '../eval/runner';
import { mulberry32 } from '../eval/metrics';
import { fnv1a32, trainingItems, type HeldOutSplit } from '../eval/split';
import type { TestItem } from '../eval/testset';
import { RAG_INSTRUCTION, buildContextBlock, buildPlainPrompt, buildRagPrompt, stripCitations } from '../strategies';
import type { ChatMessage, ContextChunk } from '../strategies/types';

export interface FinetuneOptions {
  /** Put the chunks the lane retrieved into the user turn (only for results that had context). */
  includeContext: boolean;
}

const QUESTION_LABEL = { en: 'Question: ', zh: '问题：' } as const;

function contextOf(r: EvalItemResult): ContextChunk[] {
  const byId = new Map(r.hits.map((h) => [h.chunkId, h]));
  return r.contextIds.flatMap((id) => {
    const h = byId.get(id);
    return h ? [{ id, docName: h.docName, text: h.text, page: h.page, headingPath: h.headingPath }] : [];
  });
}

/** The chat example for one accepted result, or null when it has no usable answer. */
export function finetuneExample(config: EvalConfig, r: EvalItemResult, opts: FinetuneOptions): { messages: ChatMessage[] } | null {
  const item = config.items.find((it) => it.id === r.itemId);
  if (!item || r.answer.trim() === '') return null;
  const chunks = contextOf(r);
  const withContext = opts.includeContext && chunks.length > 0;
  const system = config.systemPrompt.trim();
  const messages: ChatMessage[] = [];
  const sys = withContext ? [system, RAG_INSTRUCTION[config.lang]].filter(Boolean).join('\n\n') : system;
  if (sys) messages.push({ role: 'system', content: sys });
  if (withContext) {
    const block = buildContextBlock({ systemPrompt: '', lang: config.lang, chunks });
    messages.push({ role: 'user', content: `${block.text}\n\n${QUESTION_LABEL[config.lang]}${item.question.trim()}` });
  } else {
    messages.push({ role: 'user', content: item.question.trim() });
  }
  // Without the passages, "[1]" would point at nothing: the tuned model must not learn to cite air.
  const answer = withContext ? r.answer.trim() : stripCitations(r.answer).replace(/[ \t]+/gu, ' ').replace(/ ([.,;:!?。，；：！？])/gu, '$1').trim();
  messages.push({ role: 'assistant', content: answer });
  return { messages };
}

/** JSONL of every thumbs-up result (identical examples once), in test-set order. */
export function toFinetuneJsonl(config: EvalConfig, results: readonly EvalItemResult[], opts: FinetuneOptions): { text: string; count: number } {
  const pos = new Map(config.items.map((it, i) => [it.id, i]));
  const accepted = results.filter((r) => r.thumb === 'up').sort((a, b) => (pos.get(a.itemId) ?? 1e9) - (pos.get(b.itemId) ?? 1e9));
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const r of accepted) {
    const ex = finetuneExample(config, r, opts);
    if (!ex) continue;
    const line = JSON.stringify(ex);
    if (seen.has(line)) continue;
    seen.add(line);
    lines.push(line);
  }
  return { text: lines.map((l) => l + '\n').join(''), count: lines.length };
}

// ---------------------------------------------------------------------------------------------
// Training data for the fine-tuning tools: examples from a test set (reference answers, gold
// passages) or from accepted answers, written as OpenAI chat JSONL, LLaMA-Factory Alpaca or ShareGPT
// (with their dataset_info.json entry) or ms-swift JSONL. The prompts are built by the same
// strategies the lanes use, so a tuned model sees at inference exactly the shape it was trained on.
// Held-out questions of the test set's split are never written.

export type FinetuneFormat = 'openai' | 'llama-factory-alpaca' | 'llama-factory-sharegpt' | 'ms-swift';
export const FINETUNE_FORMATS: readonly FinetuneFormat[] = ['openai', 'llama-factory-alpaca', 'llama-factory-sharegpt', 'ms-swift'];

/**
 * RAFT (Zhang et al., 2024, "RAFT: Adapting Language Model to Domain Specific RAG"): each example
 * carries the gold passage among distractors, and a share carries distractors only. Defaults are
 * what the reference code uses: ShishirPatil/gorilla raft/raft.py, `--distractors` default 3 and
 * `add_chunk_to_dataset(..., num_distract=3, p=0.8)` (main() never passes `--p`, so 0.8 applies);
 * an example without the gold passage takes one more distractor in its place, so both kinds show
 * distractors + 1 passages.
 */
export const RAFT_DEFAULTS = Object.freeze({ distractors: 3, goldShare: 0.8 });

/** Passages the app's retrieval returns for a question, best first (the user's own index: hard distractors). */
export type Retrieve = (question: string, k: number) => Promise<ContextChunk[]>;

export interface RaftOptions {
  distractors: number;
  /** Share of examples (0..1) whose passages include the gold one. */
  goldShare: number;
  seed: number;
  retrieve: Retrieve;
  /**
   * Target of an answerable example without the gold passage: 'answer' (RAFT: the model learns the
   * fact itself) or 'refusal' (the app's RAG instruction: say the context does not contain it).
   */
  withoutGold?: 'answer' | 'refusal';
}

export interface TrainingExample {
  itemId: string;
  messages: ChatMessage[];
  /** With RAFT: whether the gold passage is among the passages, and how many there are. */
  raft?: { gold: boolean; passages: number };
}

export interface SkippedItem {
  itemId: string;
  reason: 'held-out' | 'no-answer' | 'no-gold-passage';
}

export interface TestSetExportOptions {
  lang: 'en' | 'zh';
  systemPrompt: string;
  /** The test set's stored split: its held-out questions are never exported. */
  split: HeldOutSplit;
  /** Include retrieved context RAFT-style; null writes plain question → answer examples. */
  raft: RaftOptions | null;
  /** Unanswerable questions (empty reference) become refusal examples. Default true. */
  includeUnanswerable?: boolean;
}

/** The refusal the app's RAG instruction asks for (and the plain one), both recognized by isRefusal. */
export const REFUSAL_ANSWER = {
  rag: { en: 'The context does not contain the answer.', zh: '资料中没有答案。' },
  plain: { en: 'The documents do not contain the answer.', zh: '资料中没有答案。' },
} as const;

const norm = (s: string) => s.replace(/\s+/gu, ' ').trim().toLowerCase();

/** A retrieved chunk "is" a gold passage when one contains the other (whitespace and case aside). */
function isGoldChunk(chunk: ContextChunk, gold: readonly string[]): boolean {
  const c = norm(chunk.text);
  return gold.some((g) => {
    const n = norm(g);
    return n !== '' && (c.includes(n) || n.includes(c));
  });
}

/** Seeded Fisher–Yates shuffle (a copy). */
function shuffle<T>(xs: readonly T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Examples from a test set's training questions. Without RAFT: system + question → reference answer.
 * With RAFT: the RAG prompt over the gold passage (the retrieved chunk holding it, or the gold text
 * itself) among `distractors` retrieved non-gold chunks (hard negatives: the top-ranked ones), in a seeded order, answered with the reference
 * answer citing the gold passage's number; with probability 1 − goldShare (seeded per question) only
 * distractors + 1 retrieved chunks. Unanswerable questions get retrieved chunks and the refusal.
 */
export async function examplesFromTestSet(items: readonly TestItem[], opts: TestSetExportOptions): Promise<{ examples: TrainingExample[]; skipped: SkippedItem[] }> {
  const train = new Set(trainingItems(opts.split, items).map((it) => it.id));
  const examples: TrainingExample[] = [];
  const skipped: SkippedItem[] = [];
  const withUnanswerable = opts.includeUnanswerable ?? true;
  for (const item of items) {
    if (!train.has(item.id)) {
      skipped.push({ itemId: item.id, reason: 'held-out' });
      continue;
    }
    const answerable = item.answer.trim() !== '';
    if (!answerable && !withUnanswerable) {
      skipped.push({ itemId: item.id, reason: 'no-answer' });
      continue;
    }
    const question = item.question.trim();
    if (!opts.raft) {
      const messages = buildPlainPrompt(question, { systemPrompt: opts.systemPrompt, lang: opts.lang }).messages;
      examples.push({ itemId: item.id, messages: [...messages, { role: 'assistant', content: answerable ? item.answer.trim() : REFUSAL_ANSWER.plain[opts.lang] }] });
      continue;
    }
    const r = opts.raft;
    const gold = item.goldPassages.map((g) => g.trim()).filter(Boolean);
    if (answerable && gold.length === 0) {
      skipped.push({ itemId: item.id, reason: 'no-gold-passage' });
      continue;
    }
    const rand = mulberry32(fnv1a32(`${r.seed >>> 0}\u0000raft\u0000${item.id}`));
    const withGold = answerable && rand() < r.goldShare;
    // Ask for enough that `distractors + 1` non-gold chunks remain after removing gold ones.
    const hits = await r.retrieve(question, r.distractors + 1 + gold.length + 2);
    const distractors = hits.filter((h) => !isGoldChunk(h, gold));
    let passages: ContextChunk[];
    if (withGold) {
      // The chunk that holds the gold passage, as retrieval shows it (its document and heading): from
      // the question's hits, else by searching the passage itself; the bare gold text only as a last resort.
      const goldChunk =
        hits.find((h) => isGoldChunk(h, gold)) ??
        (await r.retrieve(gold[0], 3)).find((h) => isGoldChunk(h, gold)) ??
        { id: `gold:${item.id}`, docName: item.goldDocument ?? 'document', text: gold[0] };
      passages = shuffle([goldChunk, ...distractors.slice(0, r.distractors)], rand);
    } else {
      passages = shuffle(distractors.slice(0, r.distractors + 1), rand);
    }
    const built = buildRagPrompt(question, { systemPrompt: opts.systemPrompt, lang: opts.lang, chunks: passages });
    let answer: string;
    if (!answerable) answer = REFUSAL_ANSWER.rag[opts.lang];
    else if (withGold) {
      const n = passages.findIndex((p) => isGoldChunk(p, gold) || p.id === `gold:${item.id}`) + 1;
      answer = `${item.answer.trim()} [${n}]`;
    } else answer = (r.withoutGold ?? 'answer') === 'answer' ? item.answer.trim() : REFUSAL_ANSWER.rag[opts.lang];
    examples.push({ itemId: item.id, messages: [...built.messages, { role: 'assistant', content: answer }], raft: { gold: withGold, passages: passages.length } });
  }
  return { examples, skipped };
}

/** Examples from accepted (thumbs-up) answers of a run, in test-set order, leaving out the split's held-out questions. */
export function examplesFromAccepted(config: EvalConfig, results: readonly EvalItemResult[], opts: FinetuneOptions & { split: HeldOutSplit }): { examples: TrainingExample[]; skipped: SkippedItem[] } {
  const pos = new Map(config.items.map((it, i) => [it.id, i]));
  const train = new Set(opts.split.train);
  const accepted = results.filter((r) => r.thumb === 'up').sort((a, b) => (pos.get(a.itemId) ?? 1e9) - (pos.get(b.itemId) ?? 1e9));
  const examples: TrainingExample[] = [];
  const skipped: SkippedItem[] = [];
  const seen = new Set<string>();
  for (const r of accepted) {
    if (!train.has(r.itemId)) {
      if (!skipped.some((s) => s.itemId === r.itemId)) skipped.push({ itemId: r.itemId, reason: 'held-out' });
      continue;
    }
    const ex = finetuneExample(config, r, opts);
    if (!ex) continue;
    const key = JSON.stringify(ex);
    if (seen.has(key)) continue;
    seen.add(key);
    examples.push({ itemId: r.itemId, messages: ex.messages });
  }
  return { examples, skipped };
}

export interface ExportFile {
  name: string;
  mime: string;
  text: string;
}

export interface FinetuneExport {
  files: ExportFile[];
  count: number;
  /** Item ids in file order (for the export log). */
  itemIds: string[];
}

/** A dataset name LLaMA-Factory accepts as a dataset_info.json key and a file name: [a-z0-9_]. */
export function datasetSlug(name: string): string {
  const s = name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/gu, '_').replace(/^_+|_+$/gu, '');
  return s || 'method_lab';
}

function splitSystem(messages: readonly ChatMessage[]): { system: string; turns: ChatMessage[] } {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  return { system, turns: messages.filter((m) => m.role !== 'system') };
}

/**
 * Writes examples in a tool's format. OpenAI and ms-swift: JSONL, one {"messages": [...]} per line
 * (ms-swift's standard "messages" format). LLaMA-Factory (hiyouga/LLaMA-Factory data/README.md):
 * a JSON array plus the `dataset_info.json` entry that registers it — Alpaca records
 * {instruction, input, output, system} (the whole user turn as `instruction`, `input` empty, so the
 * prompt is exactly the app's) with `columns` prompt/query/response/system; ShareGPT records
 * {conversations: [{from: human|gpt, value}], system} with `formatting: "sharegpt"`, `columns`
 * messages/system and the default `tags`.
 */
export function serializeTraining(examples: readonly TrainingExample[], format: FinetuneFormat, baseName: string): FinetuneExport {
  const slug = datasetSlug(baseName);
  const itemIds = examples.map((e) => e.itemId);
  const jsonl = (rows: unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  switch (format) {
    case 'openai':
    case 'ms-swift': {
      const suffix = format === 'openai' ? 'openai' : 'ms_swift';
      return { files: [{ name: `${slug}_${suffix}.jsonl`, mime: 'application/jsonl', text: jsonl(examples.map((e) => ({ messages: e.messages }))) }], count: examples.length, itemIds };
    }
    case 'llama-factory-alpaca': {
      const file = `${slug}_alpaca.json`;
      const rows = examples.map((e) => {
        const { system, turns } = splitSystem(e.messages);
        const user = turns.filter((m) => m.role === 'user');
        const last = turns[turns.length - 1];
        if (user.length !== 1 || turns.length !== 2 || last.role !== 'assistant') throw new RangeError(`Alpaca records hold one question and one answer; example ${e.itemId} has ${turns.length} turns.`);
        return { instruction: user[0].content, input: '', output: last.content, system };
      });
      const info = { [slug]: { file_name: file, formatting: 'alpaca', columns: { prompt: 'instruction', query: 'input', response: 'output', system: 'system' } } };
      return { files: [{ name: file, mime: 'application/json', text: `${JSON.stringify(rows, null, 2)}\n` }, { name: 'dataset_info.json', mime: 'application/json', text: `${JSON.stringify(info, null, 2)}\n` }], count: rows.length, itemIds };
    }
    case 'llama-factory-sharegpt': {
      const file = `${slug}_sharegpt.json`;
      const rows = examples.map((e) => {
        const { system, turns } = splitSystem(e.messages);
        return { conversations: turns.map((m) => ({ from: m.role === 'user' ? 'human' : 'gpt', value: m.content })), system };
      });
      const info = {
        [slug]: {
          file_name: file,
          formatting: 'sharegpt',
          columns: { messages: 'conversations', system: 'system' },
          tags: { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt' },
        },
      };
      return { files: [{ name: file, mime: 'application/json', text: `${JSON.stringify(rows, null, 2)}\n` }, { name: 'dataset_info.json', mime: 'application/json', text: `${JSON.stringify(info, null, 2)}\n` }], count: rows.length, itemIds };
    }
    default: {
      const never: never = format;
      throw new RangeError(`Unknown format ${String(never)}`);
    }
  }
}

/**
 * What a test-set export will write, without retrieving anything: the ids that become examples and
 * why the others are left out, decided exactly as `examplesFromTestSet` decides (held out; with RAFT,
 * answerable without a gold passage; unanswerable when those are excluded). For the preview count.
 */
export function planTestSetExport(items: readonly TestItem[], split: HeldOutSplit, opts: { raft: boolean; includeUnanswerable?: boolean }): { itemIds: string[]; skipped: SkippedItem[] } {
  const train = new Set(trainingItems(split, items).map((it) => it.id));
  const itemIds: string[] = [];
  const skipped: SkippedItem[] = [];
  for (const item of items) {
    const answerable = item.answer.trim() !== '';
    if (!train.has(item.id)) skipped.push({ itemId: item.id, reason: 'held-out' });
    else if (!answerable && !(opts.includeUnanswerable ?? true)) skipped.push({ itemId: item.id, reason: 'no-answer' });
    else if (opts.raft && answerable && !item.goldPassages.some((g) => g.trim() !== '')) skipped.push({ itemId: item.id, reason: 'no-gold-passage' });
    else itemIds.push(item.id);
  }
  return { itemIds, skipped };
}

/** A download: text for one file, ZIP bytes for several. */
export interface PackagedExport {
  name: string;
  mime: string;
  data: string | Uint8Array<ArrayBuffer>;
}

const PACKAGE_SUFFIX: Record<FinetuneFormat, string> = {
  openai: 'openai',
  'llama-factory-alpaca': 'llama_factory_alpaca',
  'llama-factory-sharegpt': 'llama_factory_sharegpt',
  'ms-swift': 'ms_swift',
};

/**
 * One download for an export: the single JSONL file as it is (OpenAI, ms-swift), or a ZIP holding
 * the data file and dataset_info.json side by side (LLaMA-Factory), so the unzipped folder can be
 * given to `dataset_dir` as it is. `mtime` (epoch ms) stamps the ZIP entries.
 */
export function packageExport(exp: FinetuneExport, format: FinetuneFormat, baseName: string, mtime: number = Date.now()): PackagedExport {
  if (exp.files.length === 1) {
    const [f] = exp.files;
    return { name: f.name, mime: f.mime, data: f.text };
  }
  const entries = Object.fromEntries(exp.files.map((f) => [f.name, strToU8(f.text)]));
  return { name: `${datasetSlug(baseName)}_${PACKAGE_SUFFIX[format]}.zip`, mime: 'application/zip', data: zipSync(entries, { level: 6, mtime }) };
}

