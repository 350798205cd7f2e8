import { describe, expect, it } from 'vitest';
import { detectFormat, parseTestSet, toCsv, toJson, toJsonl, type TestItem } from '../../../src/eval/testset';
import { parseCsvRecords } from '../../../src/extract/csv';
import { jsonErrorOffset } from '../../../src/extract/json-error';

const items: TestItem[] = [
  {
    id: 'leave-1',
    question: '员工每年有多少天年假？',
    answer: '二十五天',
    goldPassages: ['员工每年有二十五天年假。', '年假须在当年休完，不可累积。'],
    goldDocument: '员工手册.pdf',
    tags: ['中文', 'leave'],
  },
  {
    id: 'q2',
    question: 'What does "RAG" stand for, exactly?',
    answer: 'Retrieval-augmented generation,\nper the "glossary".',
    goldPassages: ['RAG means retrieval-augmented generation.'],
    tags: [],
  },
  { id: 'unanswerable', question: 'Who won the 1998 World Cup?', answer: '', goldPassages: [], tags: ['negative'] },
];

describe('round trips', () => {
  it('CSV', () => {
    expect(parseTestSet('set.csv', toCsv(items))).toEqual({ items, errors: [] });
    expect(parseTestSet('set.csv', toCsv(items, { bom: true }))).toEqual({ items, errors: [] });
  });
  it('TSV', () => {
    expect(parseTestSet('set.tsv', toCsv(items, { delimiter: '\t' }))).toEqual({ items, errors: [] });
  });
  it('JSONL', () => {
    expect(parseTestSet('set.jsonl', toJsonl(items))).toEqual({ items, errors: [] });
  });
  it('JSON', () => {
    expect(parseTestSet('set.json', toJson(items))).toEqual({ items, errors: [] });
  });
});

describe('export formats', () => {
  it('CSV: CRLF, quoting only where needed, extra passages in numbered columns', () => {
    expect(toCsv(items.slice(0, 2))).toBe(
      'id,question,answer,gold_passage,gold_passage_2,gold_document,tags\r\n' +
        'leave-1,员工每年有多少天年假？,二十五天,员工每年有二十五天年假。,年假须在当年休完，不可累积。,员工手册.pdf,中文;leave\r\n' +
        'q2,"What does ""RAG"" stand for, exactly?","Retrieval-augmented generation,\nper the ""glossary"".",RAG means retrieval-augmented generation.,,,\r\n',
    );
    expect(toCsv([]).startsWith('id,question,answer,gold_passage,gold_document,tags\r\n')).toBe(true);
    expect(toCsv([], { bom: true }).charCodeAt(0)).toBe(0xfeff);
  });
  it('JSONL: one object per line, fixed key order', () => {
    expect(toJsonl([items[2]])).toBe(
      '{"id":"unanswerable","question":"Who won the 1998 World Cup?","answer":"","goldPassages":[],"tags":["negative"]}\n',
    );
  });
  it('JSON: versioned wrapper', () => {
    const parsed = JSON.parse(toJson(items)) as { format: string; version: number; items: unknown[] };
    expect(parsed.format).toBe('method-lab-testset');
    expect(parsed.version).toBe(1);
    expect(parsed.items).toHaveLength(3);
  });
});

describe('CSV import', () => {
  it('header is case-insensitive, unknown columns are ignored, only question is required', () => {
    const csv = 'Notes,QUESTION,Answer\nignore me,年假几天？,25天\nx,What is RAG?,\n';
    expect(parseTestSet('a.csv', csv)).toEqual({
      items: [
        { id: 'q1', question: '年假几天？', answer: '25天', goldPassages: [], tags: [] },
        { id: 'q2', question: 'What is RAG?', answer: '', goldPassages: [], tags: [] },
      ],
      errors: [],
    });
  });
  it('quotes: commas, escaped quotes, newlines and CRLF inside fields', () => {
    const csv = 'question,answer,gold_passage,gold_document,tags\r\n"A, B?","say ""hi""","line 1\r\nline 2",doc.pdf,a; b|c\r\n';
    expect(parseTestSet('a.csv', csv).items).toEqual([
      { id: 'q1', question: 'A, B?', answer: 'say "hi"', goldPassages: ['line 1\nline 2'], goldDocument: 'doc.pdf', tags: ['a', 'b', 'c'] },
    ]);
  });
  it('bad rows get errors at the line where they start; good rows still import', () => {
    const csv = [
      'question,answer', // line 1
      'ok one,1', // 2
      '"multi', // 3: a quoted field spanning lines 3–4
      'line question",2',
      'too,many,fields', // 5
      ',orphan answer', // 6: empty question
      '', // 7: blank, skipped
      '   ,3', // 8: whitespace question
      'last,4', // 9
    ].join('\n');
    const r = parseTestSet('a.csv', csv);
    expect(r.items.map((i) => [i.id, i.question])).toEqual([
      ['q1', 'ok one'],
      ['q2', 'multi\nline question'],
      ['q3', 'last'],
    ]);
    expect(r.errors.map((e) => [e.row, e.code])).toEqual([
      [5, 'field-count'],
      [6, 'missing-question'],
      [8, 'missing-question'],
    ]);
    expect(r.errors[0].message).toBe('Row 5: expected 2 fields like the header but found 3; check for an unquoted comma or a missing one.');
  });
  it('a row with too few fields is an error', () => {
    const r = parseTestSet('a.csv', 'question,answer,tags\nq only\n');
    expect(r.items).toEqual([]);
    expect(r.errors).toEqual([
      { row: 2, code: 'field-count', message: 'Row 2: expected 3 fields like the header but found 1; check for an unquoted comma or a missing one.' },
    ]);
  });
  it('no question column', () => {
    const r = parseTestSet('a.csv', 'query,answer\nx,y\n');
    expect(r.items).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ row: 1, code: 'no-question-column' });
    expect(r.errors[0].message).toContain('found: query, answer');
  });
  it('unterminated quote keeps the rows before it', () => {
    const r = parseTestSet('a.csv', 'question\nfine\n"broken\nrest\n');
    expect(r.items.map((i) => i.question)).toEqual(['fine']);
    expect(r.errors.map((e) => [e.row, e.code])).toEqual([[3, 'unterminated-quote']]);
  });
  it('empty file and BOM', () => {
    expect(parseTestSet('a.csv', '')).toEqual({ items: [], errors: [{ row: 1, code: 'empty-file', message: 'The file is empty.' }] });
    expect(parseTestSet('a.csv', '\uFEFFquestion\n问\n').items).toEqual([{ id: 'q1', question: '问', answer: '', goldPassages: [], tags: [] }]);
  });
  it('ids: kept when given, duplicates rejected, generated ones avoid collisions', () => {
    const r = parseTestSet('a.csv', 'id,question\nq2,first\n,second\nq2,third\n,fourth\n');
    expect(r.items.map((i) => [i.id, i.question])).toEqual([
      ['q2', 'first'],
      ['q3', 'second'], // q2 is taken
      ['q4', 'fourth'],
    ]);
    expect(r.errors).toEqual([
      {
        row: 4,
        code: 'duplicate-id',
        message: 'Row 4: id "q2" is already used by row 2; give it a new id or leave the id empty.',
      },
    ]);
  });
  it('full-width separators in tags', () => {
    expect(parseTestSet('a.csv', 'question,tags\n问,甲；乙｜丙\n').items[0].tags).toEqual(['甲', '乙', '丙']);
  });
});

describe('parseCsvRecords', () => {
  it('reports the start line of each record', () => {
    expect(parseCsvRecords('a,b\n"x\ny",z\nlast')).toEqual({
      records: [
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['x\ny', 'z'] },
        { line: 4, fields: ['last'] },
      ],
    });
  });
  it('keeps stray quotes literally and a trailing empty quoted field', () => {
    expect(parseCsvRecords('ab"c,""')).toEqual({ records: [{ line: 1, fields: ['ab"c', ''] }] });
  });
});

describe('JSON import', () => {
  it('array with snake_case keys, string passage, numeric answer and tag string', () => {
    const json = JSON.stringify([
      { question: 'Year?', answer: 1976, gold_passage: 'It was founded in 1976.', gold_document: 'a.pdf', tags: 'x;y' },
      { id: 7, question: '年假？', goldPassages: ['二十五天'], extra: true },
    ]);
    expect(parseTestSet('t.json', json)).toEqual({
      items: [
        { id: 'q1', question: 'Year?', answer: '1976', goldPassages: ['It was founded in 1976.'], goldDocument: 'a.pdf', tags: ['x', 'y'] },
        { id: '7', question: '年假？', answer: '', goldPassages: ['二十五天'], tags: [] },
      ],
      errors: [],
    });
  });
  it('{items: [...]} with bad records reported by item number', () => {
    const json = JSON.stringify({ items: [{ question: 'ok' }, 'nope', { answer: 'no question' }, { question: 'q', tags: [1, {}] }] });
    const r = parseTestSet('t.json', json);
    expect(r.items.map((i) => i.question)).toEqual(['ok']);
    expect(r.errors).toEqual([
      { row: 2, code: 'not-an-object', message: 'Item 2: expected an object with a "question".' },
      { row: 3, code: 'missing-question', message: 'Item 3: the question is empty.' },
      { row: 4, code: 'bad-field', message: 'Item 4: "tags" must be text or a list of texts.' },
    ]);
  });
  it('syntax errors point at the line', () => {
    const r = parseTestSet('t.json', '[\n  {"question": "a"},\n  {"question": }\n]');
    expect(r.items).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ row: 3, code: 'bad-json' });
  });
  it('wrong shape', () => {
    expect(parseTestSet('t.json', '{"rows": []}').errors[0]).toMatchObject({ row: 1, code: 'bad-shape' });
  });
});

describe('JSONL import', () => {
  it('each bad line is its own error at its line number', () => {
    const jsonl = ['{"question":"一"}', '', '{"question":', '[1,2]', '{"question":"  "}', '{"question":"二","answer":"2"}'].join('\r\n');
    const r = parseTestSet('t.jsonl', jsonl);
    expect(r.items).toEqual([
      { id: 'q1', question: '一', answer: '', goldPassages: [], tags: [] },
      { id: 'q2', question: '二', answer: '2', goldPassages: [], tags: [] },
    ]);
    expect(r.errors.map((e) => [e.row, e.code])).toEqual([
      [3, 'bad-json'],
      [4, 'not-an-object'],
      [5, 'missing-question'],
    ]);
  });
  it('JSONL saved as .json is read line by line', () => {
    const r = parseTestSet('t.json', '{"question":"a"}\n{"question":"b"}\n');
    expect(r.items.map((i) => i.question)).toEqual(['a', 'b']);
  });
});

describe('detectFormat', () => {
  it('by extension, then by content', () => {
    expect(detectFormat('x.CSV', '[')).toBe('csv');
    expect(detectFormat('x.ndjson', '')).toBe('jsonl');
    expect(detectFormat('x.txt', '  [{"question":"a"}]')).toBe('json');
    expect(detectFormat('x.txt', '{"question":"a"}\n{"question":"b"}')).toBe('jsonl');
    expect(detectFormat('x.txt', 'question\tanswer\nq\ta')).toBe('tsv');
    expect(detectFormat('pasted', 'question,answer\nq,a')).toBe('csv');
  });
});

describe('jsonErrorOffset', () => {
  it('finds the first syntax error, or -1 for valid JSON', () => {
    const valid = ['{}', '[]', ' [1, -2.5e3, true, false, null, "a\\"b\\u00e9", {"k": [ ]}] ', '"x"'];
    for (const v of valid) expect(jsonErrorOffset(v)).toBe(-1);
    expect(jsonErrorOffset('{"a": }')).toBe(6);
    expect(jsonErrorOffset('[1,]')).toBe(3);
    expect(jsonErrorOffset('[1 2]')).toBe(3);
    expect(jsonErrorOffset("{'a': 1}")).toBe(1);
    expect(jsonErrorOffset('[01]')).toBe(2);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
    expect(jsonErrorOffset('"abc')).toBe(4);
    expect(jsonErrorOffset('')).toBe(0);
  });
});
