// Test-set import/export (pure): JSON (array or {items}), JSONL, CSV/TSV (RFC 4180). Bad rows become
// row-level errors and good rows still import, so one typo never loses a whole file. Rows are 1-based
// physical line numbers where the record starts (JSON: the item's position in the array).
// CSV parsing and JSON error positions come from the readers shared with document extraction.
import { parseCsvRecords, type CsvRecord } from '../extract/csv';
import { locateJsonError } from '../extract/json-error';
import { decodeText } from '../extract/text';

export interface TestItem {
  id: string;
  question: string;
  /** '' = the documents do not answer it; the right behaviour is a refusal. */
  answer: string;
  goldPassages: string[];
  goldDocument?: string;
  tags: string[];
}

export type ImportErrorCode =
  | 'empty-file'
  | 'bad-json'
  | 'bad-shape'
  | 'not-an-object'
  | 'missing-question'
  | 'bad-field'
  | 'no-question-column'
  | 'field-count'
  | 'unterminated-quote'
  | 'duplicate-id';

export interface ImportError {
  /** 1-based line (CSV, JSONL, JSON syntax errors) or item number (JSON array) as the user sees it. */
  row: number;
  message: string;
  /** Stable code for translated messages. */
  code?: ImportErrorCode;
}

export interface ImportResult {
  items: TestItem[];
  errors: ImportError[];
}

export type TestSetFormat = 'json' | 'jsonl' | 'csv' | 'tsv';

interface Draft {
  row: number;
  id?: string;
  question: string;
  answer: string;
  goldPassages: string[];
  goldDocument?: string;
  tags: string[];
}

type Field = 'id' | 'question' | 'answer' | 'goldPassage' | 'goldDocument' | 'tags';

/** "Gold_Passage 2", "goldPassages", "gold-passage" → one field; case, spaces, _ and - are ignored. */
function fieldOf(key: string): Field | null {
  const k = key.replace(/^\uFEFF/u, '').trim().toLowerCase().replace(/[\s_-]+/gu, '');
  if (k === 'id' || k === 'question' || k === 'answer' || k === 'tags') return k;
  if (/^goldpassages?\d*$/u.test(k)) return 'goldPassage';
  if (k === 'golddocument' || k === 'golddoc') return 'goldDocument';
  return null;
}

const TAG_SEP = /[;|；｜]/u;

function splitTags(s: string): string[] {
  return s.split(TAG_SEP).map((t) => t.trim()).filter((t) => t !== '');
}

/** Text from a JSON value: strings as is, finite numbers as written (an answer like 1976); else undefined. */
function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

type Outcome = { draft: Draft } | { error: ImportError };

/** Builds a draft from field/value pairs shared by JSON keys and CSV columns. */
function toDraft(pairs: [string, unknown][], row: number, where: string): Outcome {
  const d: Draft = { row, question: '', answer: '', goldPassages: [], tags: [] };
  const bad = (name: string, what: string): Outcome => ({
    error: { row, code: 'bad-field', message: `${where}: "${name}" must be ${what}.` },
  });
  for (const [key, value] of pairs) {
    const field = fieldOf(key);
    if (field === null || value === undefined || value === null) continue;
    if (field === 'goldPassage' || field === 'tags') {
      const list = Array.isArray(value) ? value.map(asText) : [asText(value)];
      if (list.some((s) => s === undefined)) return bad(key, 'text or a list of texts');
      const texts = (list as string[]).map((s) => s.trim());
      if (field === 'goldPassage') d.goldPassages.push(...texts.filter((s) => s !== ''));
      else d.tags.push(...texts.flatMap(splitTags));
      continue;
    }
    const text = asText(value);
    if (text === undefined) return bad(key, 'text');
    const t = text.trim();
    if (field === 'id') d.id = t === '' ? undefined : t;
    else if (field === 'question') d.question = t;
    else if (field === 'answer') d.answer = t;
    else d.goldDocument = t === '' ? undefined : t;
  }
  if (d.question === '') return { error: { row, code: 'missing-question', message: `${where}: the question is empty.` } };
  return { draft: d };
}

/** Keeps the first of duplicate ids (later ones are errors: usually a copied row); numbers the rest q1, q2, … */
function finish(drafts: Draft[], errors: ImportError[], rowWord: string): ImportResult {
  const firstRow = new Map<string, number>();
  const kept: Draft[] = [];
  for (const d of drafts) {
    if (d.id === undefined) {
      kept.push(d);
      continue;
    }
    const seen = firstRow.get(d.id);
    if (seen !== undefined) {
      errors.push({
        row: d.row,
        code: 'duplicate-id',
        message: `${rowWord} ${d.row}: id "${d.id}" is already used by ${rowWord.toLowerCase()} ${seen}; give it a new id or leave the id empty.`,
      });
      continue;
    }
    firstRow.set(d.id, d.row);
    kept.push(d);
  }
  let next = 1;
  const items = kept.map((d, i): TestItem => {
    let id = d.id;
    if (id === undefined) {
      next = Math.max(next, i + 1);
      while (firstRow.has(`q${next}`)) next++;
      id = `q${next}`;
      firstRow.set(id, d.row);
    }
    const item: TestItem = { id, question: d.question, answer: d.answer, goldPassages: d.goldPassages, tags: d.tags };
    if (d.goldDocument !== undefined) item.goldDocument = d.goldDocument;
    return item;
  });
  errors.sort((a, b) => a.row - b.row);
  return { items, errors };
}

// ---------------- JSON / JSONL ----------------

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** 1-based line of the first JSON syntax error (1 when the scanner and JSON.parse disagree). */
function jsonErrorLine(text: string): number {
  return locateJsonError(text)?.line ?? 1;
}

function parseJson(text: string): ImportResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const row = jsonErrorLine(text);
    return { items: [], errors: [{ row, code: 'bad-json', message: `Line ${row}: this is not valid JSON (${e instanceof Error ? e.message : String(e)}).` }] };
  }
  let list: unknown[];
  if (Array.isArray(data)) list = data;
  else if (isPlainObject(data) && Array.isArray(data.items)) list = data.items;
  else if (isPlainObject(data) && 'question' in data) list = [data];
  else {
    return {
      items: [],
      errors: [{ row: 1, code: 'bad-shape', message: 'Expected a JSON array of items or an object with an "items" array.' }],
    };
  }
  const drafts: Draft[] = [];
  const errors: ImportError[] = [];
  list.forEach((v, i) => {
    const row = i + 1;
    if (!isPlainObject(v)) {
      errors.push({ row, code: 'not-an-object', message: `Item ${row}: expected an object with a "question".` });
      return;
    }
    const r = toDraft(Object.entries(v), row, `Item ${row}`);
    if ('draft' in r) drafts.push(r.draft);
    else errors.push(r.error);
  });
  return finish(drafts, errors, 'Item');
}

function parseJsonl(text: string): ImportResult {
  const drafts: Draft[] = [];
  const errors: ImportError[] = [];
  text.split('\n').forEach((line, i) => {
    const row = i + 1;
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      errors.push({ row, code: 'bad-json', message: `Line ${row}: not valid JSON (${e instanceof Error ? e.message : String(e)}).` });
      return;
    }
    if (!isPlainObject(v)) {
      errors.push({ row, code: 'not-an-object', message: `Line ${row}: expected an object with a "question".` });
      return;
    }
    const r = toDraft(Object.entries(v), row, `Line ${row}`);
    if ('draft' in r) drafts.push(r.draft);
    else errors.push(r.error);
  });
  return finish(drafts, errors, 'Line');
}

// ---------------- CSV / TSV ----------------


function isBlank(r: CsvRecord): boolean {
  return r.fields.length === 1 && r.fields[0].trim() === '';
}

function parseDelimited(text: string, delimiter: string): ImportResult {
  const { records, unterminated } = parseCsvRecords(text, delimiter);
  const errors: ImportError[] = [];
  if (unterminated !== undefined) {
    const unterminatedAt = unterminated.line;
    errors.push({
      row: unterminatedAt,
      code: 'unterminated-quote',
      message: `Row ${unterminatedAt}: a quoted field is never closed (a " is missing), so this row and everything after it were skipped.`,
    });
  }
  const rows = records.filter((r) => !isBlank(r));
  const header = rows.shift();
  if (!header) {
    if (errors.length === 0) errors.push({ row: 1, code: 'empty-file', message: 'The file is empty.' });
    return { items: [], errors };
  }
  const columns = header.fields.map(fieldOf);
  if (!columns.includes('question')) {
    const found = header.fields.map((f) => f.trim()).join(', ');
    errors.unshift({
      row: header.line,
      code: 'no-question-column',
      message: `Row ${header.line}: the header needs a "question" column (found: ${found}). Expected columns: question, answer, gold_passage, gold_document, tags.`,
    });
    return { items: [], errors };
  }
  const drafts: Draft[] = [];
  for (const r of rows) {
    if (r.fields.length !== header.fields.length) {
      errors.push({
        row: r.line,
        code: 'field-count',
        message: `Row ${r.line}: expected ${header.fields.length} fields like the header but found ${r.fields.length}; check for an unquoted ${delimiter === '\t' ? 'tab' : 'comma'} or a missing one.`,
      });
      continue;
    }
    const pairs = r.fields.map((v, i): [string, unknown] => [header.fields[i], columns[i] === null ? undefined : v]);
    const out = toDraft(pairs, r.line, `Row ${r.line}`);
    if ('draft' in out) drafts.push(out.draft);
    else errors.push(out.error);
  }
  return finish(drafts, errors, 'Row');
}

// ---------------- entry points ----------------

/** By extension first; otherwise by content: '[' or '{' is JSON(L), a tab-only header is TSV, else CSV. */
export function detectFormat(fileName: string, text: string): TestSetFormat {
  const ext = /\.([a-z0-9]+)$/iu.exec(fileName)?.[1]?.toLowerCase();
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'json') return looksLikeJsonl(text) ? 'jsonl' : 'json';
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  const head = text.trimStart();
  if (head.startsWith('[') || head.startsWith('{')) return looksLikeJsonl(text) ? 'jsonl' : 'json';
  const firstLine = head.split('\n', 1)[0];
  return firstLine.includes('\t') && !firstLine.includes(',') ? 'tsv' : 'csv';
}

/** Several lines that each hold one object, and the whole is not one JSON value: JSONL saved as .json. */
function looksLikeJsonl(text: string): boolean {
  const lines = text.split(/\r\n|\r|\n/u).filter((l) => l.trim() !== '');
  if (lines.length < 2 || !lines.every((l) => l.trim().startsWith('{'))) return false;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true; // not one JSON value: read it line by line instead, which reports errors per line
  }
}

/**
 * Parses a test-set file from its bytes, decoded the way documents are (UTF-8 with or without BOM,
 * UTF-16 with BOM, GB18030/GBK, Big5, Windows-1252), so a CSV saved by Excel in GBK imports intact.
 * Throws FileError 'file-binary' when the bytes are not text.
 */
export function parseTestSetBytes(fileName: string, bytes: Uint8Array): ImportResult {
  return parseTestSet(fileName, decodeText(bytes, fileName).text);
}

export function parseTestSet(fileName: string, text: string): ImportResult {
  const clean = text.replace(/^\uFEFF/u, '').replace(/\r\n?/gu, '\n');
  if (clean.trim() === '') return { items: [], errors: [{ row: 1, code: 'empty-file', message: 'The file is empty.' }] };
  switch (detectFormat(fileName, clean)) {
    case 'json':
      return parseJson(clean);
    case 'jsonl':
      return parseJsonl(clean);
    case 'tsv':
      return parseDelimited(clean, '\t');
    case 'csv':
      return parseDelimited(clean, ',');
  }
}

// ---------------- export ----------------

/** Fixed key order and no undefined keys, so exports diff cleanly. */
function plain(item: TestItem): Record<string, unknown> {
  const o: Record<string, unknown> = {
    id: item.id,
    question: item.question,
    answer: item.answer,
    goldPassages: [...item.goldPassages],
  };
  if (item.goldDocument !== undefined) o.goldDocument = item.goldDocument;
  o.tags = [...item.tags];
  return o;
}

export function toJson(items: readonly TestItem[]): string {
  return JSON.stringify({ format: 'method-lab-testset', version: 1, items: items.map(plain) }, null, 2) + '\n';
}

export function toJsonl(items: readonly TestItem[]): string {
  return items.map((i) => JSON.stringify(plain(i)) + '\n').join('');
}

function csvField(s: string, delimiter: string): string {
  return s.includes('"') || s.includes(delimiter) || /[\r\n]/u.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

export interface CsvOptions {
  /** Prepend a UTF-8 byte-order mark so Excel shows Chinese correctly when the file is double-clicked. */
  bom?: boolean;
  delimiter?: ',' | '\t';
}

/**
 * CSV with CRLF line ends (RFC 4180). Extra gold passages go in gold_passage_2, gold_passage_3, …;
 * tags are joined with ";", so a tag that itself contains ";" or "|" does not survive a round trip.
 */
export function toCsv(items: readonly TestItem[], opts: CsvOptions = {}): string {
  const d = opts.delimiter ?? ',';
  const nPassages = Math.max(1, ...items.map((i) => i.goldPassages.length));
  const passageCols = Array.from({ length: nPassages }, (_, k) => (k === 0 ? 'gold_passage' : `gold_passage_${k + 1}`));
  const header = ['id', 'question', 'answer', ...passageCols, 'gold_document', 'tags'];
  const lines = [header.join(d)];
  for (const it of items) {
    const passages = Array.from({ length: nPassages }, (_, k) => it.goldPassages[k] ?? '');
    const row = [it.id, it.question, it.answer, ...passages, it.goldDocument ?? '', it.tags.join(';')];
    lines.push(row.map((f) => csvField(f, d)).join(d));
  }
  return (opts.bom ? '\uFEFF' : '') + lines.join('\r\n') + '\r\n';
}
