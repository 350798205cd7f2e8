// CSV and JSON → lines that read well on their own once chunked: a CSV row becomes
// "col1: v1; col2: v2", a JSON leaf becomes "path.to.key: value".
import { FileError } from '../protocol/errors';

/** Parses RFC 4180 CSV (quoted fields may hold delimiters, quotes as "" and newlines). */
export function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field.trim() === '') {
      field = '';
      quoted = true;
    } else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
    i++;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Picks the delimiter (comma, semicolon, tab) that occurs most often outside quotes in the first line. */
export function sniffDelimiter(text: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < text.length && i < 10_000; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '\n') break;
    else if (!quoted && c in counts) counts[c]++;
  }
  let best = ',';
  for (const d of [';', '\t']) if (counts[d] > counts[best]) best = d;
  return best;
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

/**
 * One line per data row, "header: value" pairs joined by "; ". Empty cells are left out; cells past
 * the header get "column N". The first row is taken as the header.
 */
export function csvToText(text: string, delimiter = sniffDelimiter(text)): string {
  const rows = parseCsv(text, delimiter).filter((r) => r.some((c) => c.trim() !== ''));
  if (rows.length === 0) return '';
  const header = rows[0].map((h, i) => oneLine(h) || `column ${i + 1}`);
  if (rows.length === 1) return header.join('; ');
  const lines: string[] = [];
  for (const r of rows.slice(1)) {
    const parts: string[] = [];
    r.forEach((cell, i) => {
      const v = oneLine(cell);
      if (v) parts.push(`${header[i] ?? `column ${i + 1}`}: ${v}`);
    });
    if (parts.length) lines.push(parts.join('; '));
  }
  return lines.join('\n');
}

/** Offset of the first JSON syntax error, found by a small validating scanner (V8's message has no position in Node 20). */
export function jsonErrorOffset(src: string): number {
  let i = 0;
  const ws = () => {
    while (i < src.length && (src[i] === ' ' || src[i] === '\t' || src[i] === '\n' || src[i] === '\r')) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const str = () => {
    i++; // opening quote
    while (i < src.length) {
      const c = src.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail();
      if (c === 0x5c) {
        const e = src[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
            i += 2;
            fail();
          }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else {
          i++;
          fail();
        }
      } else i++;
    }
    fail();
  };
  const value = (depth: number): void => {
    if (depth > 10_000) fail();
    ws();
    const c = src[i];
    if (c === '{') {
      i++;
      ws();
      if (src[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (src[i] !== '"') fail();
        str();
        ws();
        if (src[i] !== ':') fail();
        i++;
        value(depth + 1);
        ws();
        if (src[i] === ',') i++;
        else if (src[i] === '}') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (src[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (src[i] === ',') i++;
        else if (src[i] === ']') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') str();
    else if (c !== undefined && /[-0-9]/.test(c)) {
      const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(src.slice(i, i + 400));
      if (!m) fail();
      i += m![0].length;
    } else {
      for (const lit of ['true', 'false', 'null']) {
        if (src.startsWith(lit, i)) {
          i += lit.length;
          return;
        }
      }
      fail();
    }
  };
  try {
    value(0);
    ws();
    if (i < src.length) fail();
    return -1;
  } catch (at) {
    if (typeof at === 'number') return at;
    throw at;
  }
}

function lineColumn(src: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let k = src.indexOf('\n'); k >= 0 && k < offset; k = src.indexOf('\n', k + 1)) {
    line++;
    last = k;
  }
  return { line, column: offset - last };
}

function formatScalar(v: unknown): string {
  if (typeof v === 'string') return oneLine(v);
  return String(v);
}

/**
 * Parses JSON and flattens it: each leaf becomes "a.b[0].c: value"; elements of a top-level
 * array are separated by a blank line so one record tends to stay in one chunk.
 * Throws FileError 'json-invalid' with the 1-based line and column of the first error.
 */
export function jsonToText(src: string, fileName: string): string {
  let data: unknown;
  try {
    data = JSON.parse(src);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    const offset = Math.max(0, jsonErrorOffset(src));
    const { line, column } = lineColumn(src, offset);
    throw new FileError(
      'json-invalid',
      `"${fileName}" is not valid JSON: syntax error at line ${line}, column ${column}. Fix the file (or save it as .txt to index it as plain text) and drop it again.`,
      { fileName, position: offset, line, column },
    );
  }
  const lines: string[] = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (v !== null && typeof v === 'object' && depth < 200) {
      const entries: [string, unknown][] = Array.isArray(v)
        ? v.map((x, i) => [`${path}[${i}]`, x])
        : Object.entries(v).map(([k, x]) => [path ? `${path}.${k}` : k, x]);
      for (const [p, x] of entries) walk(x, p, depth + 1);
      return;
    }
    const value = v !== null && typeof v === 'object' ? JSON.stringify(v) : formatScalar(v);
    if (value === '') return;
    lines.push(path ? `${path}: ${value}` : value);
  };
  if (Array.isArray(data)) {
    const blocks: string[] = [];
    data.forEach((item, i) => {
      lines.length = 0;
      walk(item, `[${i}]`, 1);
      if (lines.length) blocks.push(lines.join('\n'));
    });
    return blocks.join('\n\n');
  }
  walk(data, '', 0);
  return lines.join('\n');
}
