// The one CSV/TSV reader, shared by document extraction and test-set import: papaparse does the
// RFC 4180 parsing; this module adds what both callers need on top — the physical line where each
// record starts (for row-level error messages) and where an unclosed quote swallowed the rest.
import Papa from 'papaparse';

/** The delimiters we sniff between; a .tsv file or a TSV test set is parsed with '\t' directly. */
export const CSV_DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

export interface CsvRecord {
  /** 1-based physical line where the record starts (a quoted field may span several lines). */
  line: number;
  fields: string[];
}

export interface CsvRecords {
  records: CsvRecord[];
  /**
   * The record whose quoted field is never closed: it is not in `records`, and its last field holds
   * the rest of the text (papaparse reads an unclosed quote to the end).
   */
  unterminated?: CsvRecord;
}

/** Line ends become \n and a byte-order mark goes, so line numbers count what an editor shows. */
function normalize(text: string): string {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return t.includes('\r') ? t.replace(/\r\n?/g, '\n') : t;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', k + 1)) n++;
  return n;
}

/**
 * Parses CSV (RFC 4180: quoted fields may hold delimiters, newlines and "" for a quote).
 * CRLF/CR line ends and a BOM are accepted. Where the RFC is broken, papaparse's recovery applies:
 * a quote inside an unquoted field is kept literally; a quoted field with an unescaped quote inside
 * (`"What is "RAG"?"`) runs to the next quote that is followed by a delimiter or line end.
 * A blank line is a record with one empty field; a final line end does not start a record.
 */
export function parseCsvRecords(text: string, delimiter: string = ','): CsvRecords {
  const src = normalize(text);
  if (src === '') return { records: [] };
  const result = Papa.parse<string[]>(src, {
    delimiter,
    newline: '\n',
    quoteChar: '"',
    escapeChar: '"',
    header: false,
    dynamicTyping: false,
    skipEmptyLines: false,
    comments: false,
  });
  const rows = result.data;
  // papaparse reports the final line end as one more, empty row; a file's last line end ends a record.
  if (src.endsWith('\n') && rows.length > 0) {
    const last = rows[rows.length - 1];
    if (last.length === 1 && last[0] === '') rows.pop();
  }
  const missing = result.errors.find((e) => e.code === 'MissingQuotes');
  const records: CsvRecord[] = [];
  let line = 1;
  for (const fields of rows) {
    records.push({ line, fields });
    // Every \n in the text either ends a record or sits inside a quoted field of it.
    line += 1;
    for (const f of fields) if (f.includes('\n')) line += countNewlines(f);
  }
  if (missing?.row === undefined || missing.row >= records.length) return { records };
  const unterminated = records[missing.row];
  return { records: records.slice(0, missing.row), unterminated };
}

/**
 * Picks the delimiter (comma, semicolon or tab) that splits the first ten non-blank rows into the
 * most consistent number of fields (papaparse's guess); comma when none splits them.
 */
export function sniffCsvDelimiter(text: string): CsvDelimiter {
  const guess = Papa.parse<string[]>(normalize(text), {
    delimiter: '',
    delimitersToGuess: [...CSV_DELIMITERS],
    newline: '\n',
    preview: 10,
    skipEmptyLines: 'greedy',
  }).meta.delimiter;
  return CSV_DELIMITERS.find((d) => d === guess) ?? ',';
}
