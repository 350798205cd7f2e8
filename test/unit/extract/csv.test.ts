import { describe, expect, it } from 'vitest';
import { parseCsvRecords, sniffCsvDelimiter } from '../../../src/extract/csv';
import { extract } from '../../../src/extract';
import { parseTestSet, parseTestSetBytes } from '../../../src/eval/testset';
import { encodeGbk, encodeUtf16 } from '../../fixtures/make-files';

const MB = 1024 * 1024;
const opts = (fileName: string) => ({ fileName, maxBytes: 50 * MB, maxUnpackedBytes: 100 * MB });
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('parseCsvRecords (the shared CSV reader)', () => {
  it('numbers records by the physical line they start on, across CRLF, CR and quoted line breaks', () => {
    const csv = '\uFEFFid,text\r\n1,"two\r\nlines"\r2,"three\nmore\nlines"\n\n3,last\n';
    expect(parseCsvRecords(csv)).toEqual({
      records: [
        { line: 1, fields: ['id', 'text'] },
        { line: 2, fields: ['1', 'two\nlines'] },
        { line: 4, fields: ['2', 'three\nmore\nlines'] },
        { line: 7, fields: [''] },
        { line: 8, fields: ['3', 'last'] },
      ],
    });
  });

  it('a final line end does not start a record, but a final quoted empty field does', () => {
    expect(parseCsvRecords('a\n').records).toEqual([{ line: 1, fields: ['a'] }]);
    expect(parseCsvRecords('a\n""').records).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: [''] },
    ]);
    expect(parseCsvRecords('')).toEqual({ records: [] });
  });

  it('hands back the record with an unclosed quote apart, holding the rest of the text', () => {
    expect(parseCsvRecords('q\nfine\n"broken\nrest\n')).toEqual({
      records: [
        { line: 1, fields: ['q'] },
        { line: 2, fields: ['fine'] },
      ],
      unterminated: { line: 3, fields: ['broken\nrest\n'] },
    });
  });

  it('recovers a quoted field whose inner quotes were not doubled', () => {
    expect(parseCsvRecords('question,answer\n"What is "RAG"?",retrieval\nnext,row\n').records).toEqual([
      { line: 1, fields: ['question', 'answer'] },
      { line: 2, fields: ['What is "RAG"?', 'retrieval'] },
      { line: 3, fields: ['next', 'row'] },
    ]);
  });

  it('parses with the delimiter it is given', () => {
    expect(parseCsvRecords('a\tb,c\n1\t"2\t3"', '\t').records.map((r) => r.fields)).toEqual([
      ['a', 'b,c'],
      ['1', '2\t3'],
    ]);
  });
});

describe('sniffCsvDelimiter', () => {
  it('picks the delimiter that splits rows consistently', () => {
    expect(sniffCsvDelimiter('a,b,c\n1,2,3\n')).toBe(',');
    // European CSV: semicolons between fields, commas as decimal marks inside them.
    expect(sniffCsvDelimiter('Name;Betrag\nMüller;1,50\nSchmidt;2,75\n')).toBe(';');
    expect(sniffCsvDelimiter('name\tnote\nA\tx, y\nB\tz\n')).toBe('\t');
    expect(sniffCsvDelimiter('"a;b",c\n"1;2",3\n')).toBe(',');
  });
  it('falls back to comma when nothing splits the rows', () => {
    expect(sniffCsvDelimiter('note\nhello\n')).toBe(',');
  });
});

describe('both callers use it', () => {
  it('extraction decodes the encoding first, then parses (GBK with a quoted comma)', async () => {
    const doc = await extract(encodeGbk('假期,天数\n"年假，带薪",15\n病假,10\n'), opts('leave.csv'));
    expect(doc.encoding).toBe('gb18030');
    expect(doc.text).toBe('假期: 年假，带薪; 天数: 15\n假期: 病假; 天数: 10');
  });

  it('extraction keeps the text after an unclosed quote as a last cell instead of dropping it', async () => {
    const doc = await extract(utf8('name,note\nA,fine\nB,"never closed\nC,more\n'), opts('x.csv'));
    expect(doc.text).toBe('name: A; note: fine\nname: B; note: never closed C,more');
  });

  it('test-set import decodes bytes like extraction does (GBK, UTF-16)', () => {
    const want = [{ id: 'q1', question: '年假几天？', answer: '十五天', goldPassages: [], tags: [] }];
    expect(parseTestSetBytes('set.csv', encodeGbk('question,answer\n年假几天？,十五天\n'))).toEqual({ items: want, errors: [] });
    expect(parseTestSetBytes('set.tsv', encodeUtf16('question\tanswer\r\n年假几天？\t十五天\r\n', 'le'))).toEqual({ items: want, errors: [] });
  });

  it('test-set import reports rows by line after a multi-line quoted field, and keeps unescaped inner quotes', () => {
    const r = parseTestSet('a.csv', 'question,answer\n"Two\nlines?",yes\n"What is "RAG"?",retrieval\nbad,row,extra\n');
    expect(r.items.map((i) => i.question)).toEqual(['Two\nlines?', 'What is "RAG"?']);
    expect(r.errors.map((e) => [e.row, e.code])).toEqual([[5, 'field-count']]);
  });
});
