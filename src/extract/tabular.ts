// CSV and JSON → lines that read well on their own once chunked: a CSV row becomes
// "col1: v1; col2: v2", a JSON leaf becomes "path.to.key: value".
import { FileError } from '../protocol/errors';
import { parseCsvRecords, sniffCsvDelimiter } from './csv';
import { locateJsonError } from './json-error';

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

/**
 * One line per data row, "header: value" pairs joined by "; ". Empty cells are left out; cells past
 * the header get "column N". The first row is taken as the header.
 */
export function csvToText(text: string, delimiter: string = sniffCsvDelimiter(text)): string {
  const { records, unterminated } = parseCsvRecords(text, delimiter);
  // A row with an unclosed quote keeps the text it swallowed as its last cell: indexed, not lost.
  if (unterminated) records.push(unterminated);
  const rows = records.map((r) => r.fields).filter((r) => r.some((c) => c.trim() !== ''));
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
    // JSON.parse failed, so the scanner finds an error; offset 0 covers a disagreement between the two.
    const { offset, line, column } = locateJsonError(src) ?? { offset: 0, line: 1, column: 1 };
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
