import { describe, expect, it } from 'vitest';
import { decodeText, extract, sniffKind, type ExtractOptions } from '../../../src/extract';
import { AbortError, FileError } from '../../../src/protocol/errors';
import {
  encodeBig5,
  encodeGbk,
  encodeUtf16,
  encodeUtf8,
  makeDocx,
  makeEncryptedPdf,
  makeEpub,
  makeCjkPdf,
  makeHighRatioDocx,
  makeImageOnlyPdf,
  makeLyingZipDocx,
  makePdf,
  makeTruncatedPdf,
  makeZip,
  makeZipBombDocx,
} from '../../fixtures/make-files';

const MB = 1024 * 1024;
const opts = (fileName: string, more: Partial<ExtractOptions> = {}): ExtractOptions => ({
  fileName,
  maxBytes: 50 * MB,
  maxUnpackedBytes: 100 * MB,
  ...more,
});
const utf8 = (s: string) => new TextEncoder().encode(s);

/** Runs `fn`, expecting a FileError; returns it for further checks. */
async function fileError(fn: () => unknown): Promise<FileError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FileError);
    return e as FileError;
  }
  throw new Error('expected a FileError, got a result');
}

describe('plain text and encodings', () => {
  it('decodes UTF-8 and normalizes CRLF and lone CR to \\n', async () => {
    const doc = await extract(utf8('Line one\r\nLine two\rLine three\n'), opts('notes.txt'));
    expect(doc).toEqual({ kind: 'txt', text: 'Line one\nLine two\nLine three\n', sections: [{ start: 0, end: 29 }], encoding: 'utf-8' });
  });

  it('strips a UTF-8 byte-order mark', async () => {
    const doc = await extract(encodeUtf8('年假规定', true), opts('a.txt'));
    expect(doc.text).toBe('年假规定');
    expect(doc.encoding).toBe('utf-8');
  });

  it('decodes UTF-16 LE and BE with BOM', async () => {
    for (const endian of ['le', 'be'] as const) {
      const doc = await extract(encodeUtf16('Hello 世界\r\nsecond line', endian), opts('u16.txt'));
      expect(doc.text).toBe('Hello 世界\nsecond line');
      expect(doc.encoding).toBe(`utf-16${endian}`);
    }
  });

  it('detects GBK from literal bytes of 新员工每年有十五天年假。', async () => {
    const gbk = new Uint8Array([0xd0, 0xc2, 0xd4, 0xb1, 0xb9, 0xa4, 0xc3, 0xbf, 0xc4, 0xea, 0xd3, 0xd0, 0xca, 0xae, 0xce, 0xe5, 0xcc, 0xec, 0xc4, 0xea, 0xbc, 0xd9, 0xa1, 0xa3]);
    expect(encodeGbk('新员工每年有十五天年假。')).toEqual(gbk);
    const doc = await extract(gbk, opts('policy.txt'));
    expect(doc.text).toBe('新员工每年有十五天年假。');
    expect(doc.encoding).toBe('gb18030');
  });

  it('detects Big5 from literal bytes of 新員工每年有十五天年假。', async () => {
    const big5 = new Uint8Array([0xb7, 0x73, 0xad, 0xfb, 0xa4, 0x75, 0xa8, 0x43, 0xa6, 0x7e, 0xa6, 0xb3, 0xa4, 0x51, 0xa4, 0xad, 0xa4, 0xd1, 0xa6, 0x7e, 0xb0, 0xb2, 0xa1, 0x43]);
    expect(encodeBig5('新員工每年有十五天年假。')).toEqual(big5);
    const doc = await extract(big5, opts('policy.txt'));
    expect(doc.text).toBe('新員工每年有十五天年假。');
    expect(doc.encoding).toBe('big5');
  });

  it('tells GBK and Big5 apart on longer mixed text', async () => {
    const simplified = '第一章 总则\n为了规范公司的休假管理，特制定本制度。员工请假必须提前申请，经部门经理批准后方可休假。Email: hr@example.com\n';
    const traditional = '第一章 總則\n為了規範公司的休假管理，特制定本制度。員工請假必須提前申請，經部門經理批准後方可休假。Email: hr@example.com\n';
    const gb = await extract(encodeGbk(simplified), opts('a.md'));
    expect([gb.encoding, gb.text]).toEqual(['gb18030', simplified]);
    const b5 = await extract(encodeBig5(traditional), opts('b.md'));
    expect([b5.encoding, b5.text]).toEqual(['big5', traditional]);
  });

  it('falls back to Windows-1252 for Western legacy text', async () => {
    // "Café crème brûlée" in Windows-1252
    const bytes = new Uint8Array([0x43, 0x61, 0x66, 0xe9, 0x20, 0x63, 0x72, 0xe8, 0x6d, 0x65, 0x20, 0x62, 0x72, 0xfb, 0x6c, 0xe9, 0x65]);
    const doc = await extract(bytes, opts('menu.txt'));
    expect([doc.text, doc.encoding]).toEqual(['Café crème brûlée', 'windows-1252']);
  });

  it('decodeText reports the encoding it used', () => {
    expect(decodeText(encodeUtf16('a\r\nb', 'be'))).toEqual({ text: 'a\nb', encoding: 'utf-16be' });
    expect(decodeText(encodeGbk('年假'))).toEqual({ text: '年假', encoding: 'gb18030' });
    expect(() => decodeText(new Uint8Array([0x50, 0x00, 0x4b]), 'x.bin')).toThrow(FileError);
  });

  it('refuses binary data posing as text', async () => {
    const bytes = new Uint8Array(256).map((_, i) => (i * 7) & 0xff); // contains NUL and control bytes
    const e = await fileError(() => extract(bytes, opts('data.txt')));
    expect(e.code).toBe('file-binary');
    expect(e.detail.fileName).toBe('data.txt');
  });

  it('refuses empty and whitespace-only files', async () => {
    expect((await fileError(() => extract(new Uint8Array(0), opts('empty.txt')))).code).toBe('file-empty');
    const e = await fileError(() => extract(utf8('  \n\t\r\n  '), opts('blank.md')));
    expect(e.code).toBe('file-empty');
    expect(e.detail).toEqual({ fileName: 'blank.md' });
  });

  it('refuses files over maxBytes with the limit in detail', async () => {
    const e = await fileError(() => extract(utf8('12345678901'), opts('big.txt', { maxBytes: 10 })));
    expect(e.code).toBe('file-too-large');
    expect(e.detail).toEqual({ fileName: 'big.txt', size: 11, limit: 10 });
    expect(e.message).toContain('10-byte limit');
  });

  it('throws AbortError when already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(extract(utf8('text'), opts('a.txt', { signal: ac.signal }))).rejects.toBeInstanceOf(AbortError);
  });
});

describe('markdown', () => {
  it('keeps the source and makes sections from ATX headings, ignoring code fences', async () => {
    const md = 'Preface line.\n\n# Leave policy\n\nIntro.\n\n## Annual leave\n\nFifteen days.\n\n```\n# not a heading\n```\n\n## Sick leave ##\n\nDoctor note.\n\n# Travel\n\nBook early.\n';
    const doc = await extract(utf8(md), opts('handbook.md'));
    expect(doc.kind).toBe('md');
    expect(doc.text).toBe(md);
    expect(doc.title).toBe('Leave policy');
    const at = (s: string) => md.indexOf(s);
    expect(doc.sections).toEqual([
      { start: 0, end: at('# Leave') },
      { start: at('# Leave'), end: at('## Annual'), headingPath: ['Leave policy'] },
      { start: at('## Annual'), end: at('## Sick'), headingPath: ['Leave policy', 'Annual leave'] },
      { start: at('## Sick'), end: at('# Travel'), headingPath: ['Leave policy', 'Sick leave'] },
      { start: at('# Travel'), end: md.length, headingPath: ['Travel'] },
    ]);
  });
});

describe('html', () => {
  it('extracts visible text with blocks, lists, tables, entities and heading sections', async () => {
    const html = `<!DOCTYPE html><html><head><title>HR &amp; Pay</title><style>p{color:red}</style>
      <script>var x = "<p>hidden</p>";</script></head><body>
      <h1>Leave   policy</h1><p>New staff get <b>15</b>&nbsp;days&hellip;</p>
      <h2>Annual <em>leave</em></h2><ul><li>Plan early</li><li>Tell your manager</li></ul>
      <table><tr><th>Year</th><th>Days</th></tr><tr><td><p>1</p></td><td>15</td></tr></table>
      <p>Line one<br>Line two &lt;3 &#x4E2D;&#25991;</p><!-- a comment --></body></html>`;
    const doc = await extract(utf8(html), opts('page.html'));
    const text = 'Leave policy\n\nNew staff get 15 days…\n\nAnnual leave\n\n- Plan early\n- Tell your manager\n\nYear | Days\n1 | 15\n\nLine one\nLine two <3 中文';
    expect(doc).toEqual({
      kind: 'html',
      text,
      encoding: 'utf-8',
      title: 'HR & Pay',
      sections: [
        { start: 0, end: text.indexOf('Annual'), headingPath: ['Leave policy'] },
        { start: text.indexOf('Annual'), end: text.length, headingPath: ['Leave policy', 'Annual leave'] },
      ],
    });
  });

  it('never carries script, event handlers or javascript: URLs into the text', async () => {
    const html = '<p>Before</p><script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>' +
      '<div onclick="alert(2)" title="a>b">Visible</div><noscript><p>alert(3)</p></noscript><template><p>alert(4)</p></template>' +
      '<style>body{background:url(javascript:alert(5))}</style><SCRIPT type="module">alert(6)</SCRIPT><p>After</p>';
    const doc = await extract(utf8(html), opts('x.html'));
    expect(doc.text).toBe('Before\n\nx\nVisible\n\nAfter');
    expect(doc.text).not.toContain('alert');
  });

  it('treats a .html file without markup as plain text', async () => {
    const doc = await extract(utf8('Just words & <3 here.'), opts('note.html'));
    expect([doc.kind, doc.text]).toEqual(['txt', 'Just words & <3 here.']);
  });

  it('an HTML page with only scripts is empty', async () => {
    const e = await fileError(() => extract(utf8('<html><body><script>alert(1)</script></body></html>'), opts('s.html')));
    expect(e.code).toBe('file-empty');
  });
});

describe('csv and json', () => {
  it('turns CSV rows into header-aware lines, handling quotes, commas and newlines in fields', async () => {
    const csv = 'name,days,note\r\nAnnual leave,15,"Plan early, tell ""HR"""\r\nSick leave,10,"Needs a\r\ndoctor note"\r\nUnpaid,,\r\n';
    const doc = await extract(utf8(csv), opts('leave.csv'));
    expect(doc.kind).toBe('csv');
    expect(doc.text).toBe('name: Annual leave; days: 15; note: Plan early, tell "HR"\nname: Sick leave; days: 10; note: Needs a doctor note\nname: Unpaid');
    expect(doc.sections).toEqual([{ start: 0, end: doc.text.length }]);
  });

  it('sniffs semicolon and tab delimiters', async () => {
    expect((await extract(utf8('a;b\n1;2\n'), opts('x.csv'))).text).toBe('a: 1; b: 2');
    expect((await extract(utf8('a\tb\n1,5\t2\n'), opts('x.tsv'))).text).toBe('a: 1,5; b: 2');
  });

  it('flattens JSON to path: value lines, one blank line between top-level records', async () => {
    const json = '[{"q":"年假几天？","a":{"days":15,"paid":true}},{"q":"Sick\\nleave?","tags":["doctor",null]}]';
    const doc = await extract(utf8(json), opts('faq.json'));
    expect(doc.text).toBe('[0].q: 年假几天？\n[0].a.days: 15\n[0].a.paid: true\n\n[1].q: Sick leave?\n[1].tags[0]: doctor\n[1].tags[1]: null');
    const obj = await extract(utf8('{"policy":{"leave":{"annual":15}},"name":"HR"}'), opts('o.json'));
    expect(obj.text).toBe('policy.leave.annual: 15\nname: HR');
  });

  it('reports invalid JSON with line and column', async () => {
    const e = await fileError(() => extract(utf8('{\n  "a": 1,\n  "b": }\n'), opts('bad.json')));
    expect(e.code).toBe('json-invalid');
    expect(e.detail).toEqual({ fileName: 'bad.json', position: 19, line: 3, column: 8 });
    expect(e.message).toContain('line 3, column 8');
  });
});

describe('pdf', () => {
  it('extracts text per page with page sections, page count, title and progress', async () => {
    const bytes = await makePdf([['Leave policy', 'New employees get 15 days.'], 'Page two.\nSecond line.', [], ['Last page.']], { title: 'Handbook' });
    const progress: [number, number][] = [];
    const doc = await extract(bytes, opts('handbook.pdf', { onProgress: (d, t) => progress.push([d, t]) }));
    const text = 'Leave policy\nNew employees get 15 days.\n\nPage two.\nSecond line.\n\nLast page.';
    expect(doc).toEqual({
      kind: 'pdf',
      text,
      pages: 4,
      title: 'Handbook',
      sections: [
        { start: 0, end: 41, page: 1 },
        { start: 41, end: text.indexOf('Last'), page: 2 },
        { start: text.indexOf('Last'), end: text.length, page: 4 },
      ],
    });
    expect(progress).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
  });

  it('reads Chinese set in a non-embedded font through its predefined CMap (no ToUnicode)', async () => {
    const doc = await extract(makeCjkPdf(['新员工每年有十五天年假。', '病假需要医生证明。']), opts('制度.pdf'));
    expect(doc.text).toBe('新员工每年有十五天年假。\n病假需要医生证明。');
    expect(doc.sections).toEqual([{ start: 0, end: 22, page: 1 }]);
  });

  it('handles many pages', async () => {
    const pages = Array.from({ length: 60 }, (_, i) => [`Page ${i + 1} heading`, `Body of page ${i + 1}.`]);
    const doc = await extract(await makePdf(pages), opts('long.pdf'));
    expect(doc.pages).toBe(60);
    expect(doc.sections).toHaveLength(60);
    expect(doc.text.slice(doc.sections[59].start, doc.sections[59].end)).toBe('Page 60 heading\nBody of page 60.');
  });

  it('stops between pages when aborted', async () => {
    const ac = new AbortController();
    const bytes = await makePdf([['one'], ['two'], ['three']]);
    const p = extract(bytes, opts('a.pdf', { signal: ac.signal, onProgress: (d) => d === 1 && ac.abort() }));
    await expect(p).rejects.toBeInstanceOf(AbortError);
  });

  it('password-protected → pdf-encrypted', async () => {
    const e = await fileError(() => extract(makeEncryptedPdf(), opts('secret.pdf')));
    expect(e.code).toBe('pdf-encrypted');
    expect(e.detail).toEqual({ fileName: 'secret.pdf' });
  });

  it('truncated → pdf-corrupt', async () => {
    const e = await fileError(async () => extract(await makeTruncatedPdf(), opts('cut.pdf')));
    expect(e.code).toBe('pdf-corrupt');
    expect(e.detail.fileName).toBe('cut.pdf');
  });

  it('no text layer → file-empty mentioning scanned images and OCR', async () => {
    const e = await fileError(async () => extract(await makeImageOnlyPdf(2), opts('scan.pdf')));
    expect(e.code).toBe('file-empty');
    expect(e.detail).toEqual({ fileName: 'scan.pdf', pages: 2, reason: 'no-text-layer' });
    expect(e.message).toMatch(/scanned images.*OCR/);
  });
});

describe('docx', () => {
  it('extracts paragraphs with Word headings as sections', async () => {
    const bytes = makeDocx(
      [
        { style: 'Heading1', text: 'Leave policy' },
        { text: 'Intro & scope.' },
        { style: 'Heading2', text: 'Annual leave' },
        { text: '新员工每年有十五天年假。' },
        { style: 'Heading2', text: 'Sick leave' },
        { text: 'Bring a note.' },
      ],
      { title: 'HR handbook' },
    );
    const doc = await extract(bytes, opts('hr.docx'));
    const text = 'Leave policy\n\nIntro & scope.\n\nAnnual leave\n\n新员工每年有十五天年假。\n\nSick leave\n\nBring a note.';
    expect(doc).toEqual({
      kind: 'docx',
      text,
      title: 'HR handbook',
      sections: [
        { start: 0, end: text.indexOf('Annual'), headingPath: ['Leave policy'] },
        { start: text.indexOf('Annual'), end: text.indexOf('Sick'), headingPath: ['Leave policy', 'Annual leave'] },
        { start: text.indexOf('Sick'), end: text.length, headingPath: ['Leave policy', 'Sick leave'] },
      ],
    });
  });

  it('truncated → docx-corrupt', async () => {
    const full = makeDocx([{ text: 'Some text that will be cut.' }]);
    const e = await fileError(() => extract(full.slice(0, full.length - 40), opts('cut.docx')));
    expect(e.code).toBe('docx-corrupt');
  });

  it('a ZIP without word/document.xml named .docx → docx-corrupt', async () => {
    const e = await fileError(() => extract(makeZip({ 'readme.txt': 'hello' }), opts('broken.docx')));
    expect(e.code).toBe('docx-corrupt');
    expect(e.detail).toEqual({ fileName: 'broken.docx', reason: 'word/document.xml is missing' });
  });

  it('a document with no text → file-empty', async () => {
    const e = await fileError(() => extract(makeDocx([{ text: '' }, { text: '   ' }]), opts('blank.docx')));
    expect(e.code).toBe('file-empty');
  });
});

describe('zip bombs', () => {
  it('a 200 MiB part in a ~200 KB DOCX is refused from its declared size', async () => {
    const bytes = makeZipBombDocx();
    expect(bytes.length).toBeLessThan(300_000);
    const e = await fileError(() => extract(bytes, opts('bomb.docx')));
    expect(e.code).toBe('zip-bomb');
    expect(e.detail).toMatchObject({ fileName: 'bomb.docx', entry: 'word/document.xml', size: 200 * MB });
  });

  it('total declared size over maxUnpackedBytes is refused', async () => {
    const bytes = makeDocx([{ text: 'A normal document.' }]);
    const e = await fileError(() => extract(bytes, opts('big.docx', { maxUnpackedBytes: 1000 })));
    expect(e.code).toBe('zip-bomb');
    expect(e.detail.limit).toBe(1000);
    expect(Number(e.detail.size)).toBeGreaterThan(1000);
  });

  it('one honest part compressed over 200:1 and over 10 MB is refused even under the total limit', async () => {
    const e = await fileError(() => extract(makeHighRatioDocx(), opts('ratio.docx', { maxUnpackedBytes: 500 * MB })));
    expect(e.code).toBe('zip-bomb');
    expect(e.detail.entry).toBe('word/media/padding.bin');
    expect(Number(e.detail.ratio)).toBeGreaterThan(200);
  });

  it('a part that inflates past its declared size is refused', async () => {
    const e = await fileError(() => extract(makeLyingZipDocx(), opts('lying.docx')));
    expect(e.code).toBe('zip-bomb');
    expect(e.detail).toEqual({ fileName: 'lying.docx', entry: 'word/document.xml', size: 1000 });
  });

  it('EPUBs get the same guard', async () => {
    const bytes = makeEpub([{ title: 'One', html: '<p>Text.</p>' }]);
    const e = await fileError(() => extract(bytes, opts('book.epub', { maxUnpackedBytes: 500 })));
    expect(e.code).toBe('zip-bomb');
  });
});

describe('epub', () => {
  it('reads chapters in spine order with h1–h3 heading paths and the OPF title', async () => {
    const bytes = makeEpub(
      [
        { title: 'One', html: '<h1>Chapter one</h1><p>It was a dark night.</p><h2>The storm</h2><p>Rain fell.</p><h4>Aside</h4><p>Deep note.</p>' },
        { title: 'Two', html: '<section><h1>Chapter two</h1><p>第二章：早上。</p></section>' },
      ],
      { title: 'A Book' },
    );
    const progress: number[] = [];
    const doc = await extract(bytes, opts('book.epub', { onProgress: (d) => progress.push(d) }));
    const text = 'Chapter one\n\nIt was a dark night.\n\nThe storm\n\nRain fell.\n\nAside\n\nDeep note.\n\nChapter two\n\n第二章：早上。';
    expect(doc).toEqual({
      kind: 'epub',
      text,
      title: 'A Book',
      sections: [
        { start: 0, end: text.indexOf('The storm'), headingPath: ['Chapter one'] },
        { start: text.indexOf('The storm'), end: text.indexOf('Chapter two'), headingPath: ['Chapter one', 'The storm'] },
        { start: text.indexOf('Chapter two'), end: text.length, headingPath: ['Chapter two'] },
      ],
    });
    expect(progress).toEqual([1, 2]);
  });

  it('missing package file → epub-corrupt naming it', async () => {
    const bytes = makeZip({
      mimetype: 'application/epub+zip',
      'META-INF/container.xml': '<container><rootfiles><rootfile full-path="OPS/book.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
    });
    const e = await fileError(() => extract(bytes, opts('bad.epub')));
    expect(e.code).toBe('epub-corrupt');
    expect(e.detail.entry).toBe('OPS/book.opf');
  });

  it('truncated → epub-corrupt', async () => {
    const full = makeEpub([{ title: 'One', html: '<p>Text.</p>' }]);
    const e = await fileError(() => extract(full.slice(0, full.length - 30), opts('cut.epub')));
    expect(e.code).toBe('epub-corrupt');
  });
});

describe('sniffKind', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  const exe = new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]);
  const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  const gzip = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);

  it('decides by content, extension only for text kinds', async () => {
    expect(sniffKind('report', await makePdf([['x']]))).toBe('pdf');
    expect(sniffKind('report.txt', makeDocx([{ text: 'x' }]))).toBe('docx');
    expect(sniffKind('book.zip', makeEpub([{ title: 't', html: '<p>x</p>' }]))).toBe('epub');
    expect(sniffKind('a.md', utf8('# T'))).toBe('md');
    expect(sniffKind('a.MARKDOWN', utf8('# T'))).toBe('md');
    expect(sniffKind('a.htm', utf8('<p>hi</p>'))).toBe('html');
    expect(sniffKind('page', utf8('<!doctype html><p>hi</p>'))).toBe('html');
    expect(sniffKind('a.csv', utf8('a,b'))).toBe('csv');
    expect(sniffKind('a.json', utf8('{}'))).toBe('json');
    expect(sniffKind('a.txt', utf8('{"a":1}'))).toBe('txt');
    expect(sniffKind('README', utf8('About %PDF-1.7 files'))).toBe('txt');
  });

  it('refuses images, programs and archives as file-unsupported with the format in detail', () => {
    const cases: [string, Uint8Array, string][] = [
      ['photo.png', png, 'png'],
      ['setup.exe', exe, 'exe'],
      ['tool', elf, 'elf'],
      ['logs.txt.gz', gzip, 'gzip'],
      ['data.zip', makeZip({ 'a.txt': 'x' }), 'zip'],
      ['sheet.xlsx', makeZip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>' }), 'xlsx'],
      // Old .doc files and password-protected .docx files are both OLE compound documents.
      ['secret.docx', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'ole'],
    ];
    for (const [name, bytes, format] of cases) {
      try {
        sniffKind(name, bytes);
        throw new Error(`${name} was accepted`);
      } catch (e) {
        expect(e).toBeInstanceOf(FileError);
        expect([name, (e as FileError).code, (e as FileError).detail.format]).toEqual([name, 'file-unsupported', format]);
      }
    }
  });

  it('refuses a file whose extension claims another format as file-mislabelled', async () => {
    const cases: [string, Uint8Array, string, string][] = [
      ['report.pdf', makeDocx([{ text: 'x' }]), 'pdf', 'docx'],
      ['report.pdf', utf8('just some text'), 'pdf', 'txt'],
      ['letter.docx', utf8('Dear team, this is plain text.'), 'docx', 'txt'],
      ['letter.docx', await makePdf([['x']]), 'docx', 'pdf'],
      ['book.epub', png, 'epub', 'png'],
      ['sheet.docx', makeZip({ 'xl/workbook.xml': '<workbook/>' }), 'docx', 'xlsx'],
    ];
    for (const [name, bytes, expected, actual] of cases) {
      const e = await fileError(() => sniffKind(name, bytes));
      expect([name, e.code, e.detail]).toEqual([name, 'file-mislabelled', { fileName: name, expected, actual }]);
    }
  });

  it('refuses binary posing as text as file-binary', async () => {
    const e = await fileError(() => sniffKind('notes.txt', new Uint8Array([0x41, 0x00, 0x42, 0x03, 0x04, 0x05, 0x06])));
    expect(e.code).toBe('file-binary');
  });
});
