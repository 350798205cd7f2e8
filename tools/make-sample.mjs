// Regenerates public/sample/ (the "Try the sample" files) from src/sample/content.ts:
//   node tools/make-sample.mjs
// Markdown in both languages, an English PDF (pdf-lib; its standard fonts cannot encode Chinese),
// a Chinese DOCX (fflate) and the test set as JSON. Output is byte-stable (fixed dates), so a rerun
// without content changes leaves git clean.

import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { strToU8, zipSync } from 'fflate';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(root, 'public/sample');

/** Transpiles content.ts and ids.ts (its only import) into a temp folder and imports them (Node 20 cannot load .ts). */
async function loadContent() {
  const dir = await mkdtemp(join(tmpdir(), 'method-lab-sample-'));
  for (const name of ['content', 'ids']) {
    const src = await readFile(resolve(root, `src/sample/${name}.ts`), 'utf8');
    const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    await writeFile(join(dir, `${name}.mjs`), js.replace(/from '\.\/ids'/g, "from './ids.mjs'"));
  }
  return import(pathToFileURL(join(dir, 'content.mjs')).href);
}

const FIXED_DATE = new Date('2025-01-01T00:00:00Z');

/** Greedy word wrap for Helvetica at `size` within `width` points. */
function wrap(text, font, size, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) > width && line) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

async function makePdf(c, file) {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(`${c.HANDBOOK_TITLE.en}: IT security`);
  doc.setCreationDate(FIXED_DATE);
  doc.setModificationDate(FIXED_DATE);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const [W, H, M] = [595, 842, 56];
  let page = doc.addPage([W, H]);
  let y = H - M;
  const draw = (text, font, size, gapAfter) => {
    for (const l of wrap(text, font, size, W - 2 * M)) {
      if (y < M + size) {
        page = doc.addPage([W, H]);
        y = H - M;
      }
      page.drawText(l, { x: M, y, size, font });
      y -= size * 1.45;
    }
    y -= gapAfter;
  };
  draw(c.HANDBOOK_TITLE.en, bold, 18, 4);
  draw(c.SAMPLE_NOTICE.en, regular, 9, 12);
  for (const part of c.HANDBOOK.en.filter((p) => file.parts.includes(p.id))) {
    draw(part.title, bold, 15, 6);
    part.sections.forEach((s, i) => {
      // Two sections per page, so the PDF has pages to cite ("p. 2").
      if (i > 0 && i % 2 === 0) {
        page = doc.addPage([W, H]);
        y = H - M;
      }
      draw(s.heading, bold, 12, 2);
      for (const p of s.paragraphs) draw(p, regular, 11, 8);
    });
  }
  return doc.save({ useObjectStreams: false });
}

const xml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function makeDocx(c, file) {
  const paras = [{ style: 'Title', text: c.HANDBOOK_TITLE.zh }, { text: c.SAMPLE_NOTICE.zh }];
  for (const part of c.HANDBOOK.zh.filter((p) => file.parts.includes(p.id))) {
    paras.push({ style: 'Heading1', text: part.title });
    for (const s of part.sections) {
      paras.push({ style: 'Heading2', text: s.heading });
      for (const p of s.paragraphs) paras.push({ text: p });
    }
  }
  const body = paras
    .map((p) => `<w:p>${p.style ? `<w:pPr><w:pStyle w:val="${p.style}"/></w:pPr>` : ''}<w:r><w:t xml:space="preserve">${xml(p.text)}</w:t></w:r></w:p>`)
    .join('');
  const style = (id, name, level) =>
    `<w:style w:type="paragraph" w:styleId="${id}"><w:name w:val="${name}"/><w:basedOn w:val="Normal"/>${level === undefined ? '' : `<w:pPr><w:outlineLvl w:val="${level}"/></w:pPr>`}<w:rPr><w:b/></w:rPr></w:style>`;
  const parts = {
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
      '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>' +
      '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>',
    '_rels/.rels':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
      '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>',
    'word/_rels/document.xml.rels':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
    'word/styles.xml':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
      '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>' +
      style('Title', 'Title') + style('Heading1', 'heading 1', 0) + style('Heading2', 'heading 2', 1) +
      '</w:styles>',
    'word/document.xml':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
      `<w:body>${body}<w:sectPr/></w:body></w:document>`,
    'docProps/core.xml':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">' +
      `<dc:title>${xml(`${c.HANDBOOK_TITLE.zh}：信息安全`)}</dc:title></cp:coreProperties>`,
  };
  const zippable = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, strToU8(v)]));
  return zipSync(zippable, { level: 9, mtime: FIXED_DATE });
}

const c = await loadContent();
await mkdir(outDir, { recursive: true });
for (const file of c.SAMPLE_FILES) {
  const bytes =
    file.format === 'md' ? strToU8(c.handbookMarkdown(file.lang, file.parts)) : file.format === 'pdf' ? await makePdf(c, file) : makeDocx(c, file);
  await writeFile(resolve(outDir, file.name), bytes);
  console.log(`${file.name}: ${bytes.length} bytes`);
}
const testset = { name: c.SAMPLE_TESTSET_NAME, items: c.SAMPLE_TESTSET };
await writeFile(resolve(outDir, c.SAMPLE_TESTSET_FILE), JSON.stringify(testset, null, 2) + '\n');
console.log(`${c.SAMPLE_TESTSET_FILE}: ${c.SAMPLE_TESTSET.length} questions`);
