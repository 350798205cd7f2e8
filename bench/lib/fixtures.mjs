// Deterministic benchmark inputs, generated once in Node and cached in bench/.cache/ (git-ignored).
// Pages fetch them from the bench server at /__bench/fixtures/<name>; the server calls fixture()
// so a page only pays for the inputs it uses. Add an entry to GENERATORS for a new input.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';

export const CACHE_DIR = new URL('../.cache/', import.meta.url).pathname;

/** Bump when a generator's output changes, so stale cached files are not reused. */
const VERSION = 1;

/** Mulberry32: a tiny seeded PRNG, so every machine builds byte-identical inputs. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (r, list) => list[Math.floor(r() * list.length)];
const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));

const EN_WORDS = (
  'the employee handbook describes annual leave policy and each team must record requests in the shared calendar before ' +
  'approval managers review schedules weekly while payroll processes overtime at the end of every month benefits include ' +
  'health insurance pension contributions training budgets and remote work equipment security rules require strong passwords ' +
  'two factor authentication and encrypted laptops incidents should be reported to the help desk within one hour contractors ' +
  'follow the same procedures unless their agreement states otherwise travel expenses need receipts and are reimbursed within ' +
  'ten working days the office opens at eight and closes at seven on weekdays visitors sign in at reception and wear a badge ' +
  'data retention periods depend on the category of record customer information is kept for five years after the last contract'
).split(' ');

function englishSentence(r) {
  const n = int(r, 8, 22);
  const words = [];
  for (let i = 0; i < n; i++) words.push(pick(r, EN_WORDS));
  if (r() < 0.2) words.splice(int(r, 1, n - 1), 0, String(int(r, 2, 2025)));
  const s = words.join(' ');
  return s[0].toUpperCase() + s.slice(1) + (r() < 0.1 ? '?' : '.');
}

const ZH_PHRASES = [
  '员工手册说明了年假政策', '每个团队都必须在共享日历中登记请假申请', '经理每周审核排班表', '工资部门在每月月底处理加班费',
  '福利包括医疗保险和养老金', '培训预算由部门统一管理', '安全规定要求使用强密码', '笔记本电脑必须全盘加密', '事故应在一小时内报告给服务台',
  '承包商遵守相同的流程', '差旅费用需要提供发票', '报销在十个工作日内完成', '办公室工作日早上八点开门', '访客需要在前台登记并佩戴胸牌',
  '数据保留期限取决于记录类别', '客户信息在合同结束后保留五年', '新员工入职第一年享有十天年假', '远程办公设备由公司统一采购',
];

function chineseSentence(r) {
  const n = int(r, 1, 4);
  const parts = [];
  for (let i = 0; i < n; i++) parts.push(pick(r, ZH_PHRASES));
  if (r() < 0.3) parts.splice(int(r, 0, n), 0, `根据 ${pick(r, ['HR-2024', 'IT Policy', 'GDPR', 'ISO 27001', 'VPN', 'OKR'])} 的要求`);
  return parts.join('，') + pick(r, ['。', '。', '。', '！', '？', '；']);
}

/**
 * A Markdown document of deterministic mixed Chinese/English paragraphs under #/##/### headings,
 * `targetBytes` long in UTF-8 (±1 paragraph). About half the paragraphs are Chinese, a quarter
 * English, a quarter mixed within the paragraph.
 */
export function makeMixedMarkdown(targetBytes, seed = 20261122) {
  const r = rng(seed);
  const out = [];
  let bytes = 0;
  let h1 = 0;
  let h2 = 0;
  const push = (s) => {
    out.push(s);
    bytes += Buffer.byteLength(s, 'utf8') + 2;
  };
  while (bytes < targetBytes) {
    const roll = r();
    if (roll < 0.01 || h1 === 0) push(`# ${++h1}. ${r() < 0.5 ? '第' + h1 + '章 公司制度' : 'Chapter ' + h1 + ': Company policy'}`), (h2 = 0);
    else if (roll < 0.06) push(`## ${h1}.${++h2} ${r() < 0.5 ? pick(r, ZH_PHRASES) : englishSentence(r).slice(0, 40)}`);
    else if (roll < 0.09) push(`### ${pick(r, ['细则', 'Details', '示例 Example', 'FAQ 常见问题'])}`);
    const kind = r();
    const sentences = [];
    const n = int(r, 2, 8);
    for (let i = 0; i < n; i++) {
      if (kind < 0.5) sentences.push(chineseSentence(r));
      else if (kind < 0.75) sentences.push(englishSentence(r));
      else sentences.push(r() < 0.5 ? chineseSentence(r) : englishSentence(r));
    }
    push(sentences.join(kind < 0.5 ? '' : ' '));
  }
  return out.join('\n\n') + '\n';
}

/**
 * A text PDF of `pages` US-letter pages, each a heading plus 300–500 English words wrapped at the
 * margin in 10 pt Helvetica (Latin-1 only, so English). Returns the PDF bytes and the word count.
 */
export async function makeEnglishPdf(pages, seed = 300) {
  const r = rng(seed);
  const doc = await PDFDocument.create();
  doc.setTitle(`Benchmark handbook (${pages} pages)`);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const size = 10;
  const lead = 13;
  const maxWidth = 612 - 2 * 56;
  let words = 0;
  for (let p = 1; p <= pages; p++) {
    const page = doc.addPage([612, 792]);
    let y = 792 - 60;
    page.drawText(`Section ${p}: ${englishSentence(r).slice(0, 50)}`, { x: 56, y, size: 13, font });
    y -= 24;
    const target = int(r, 300, 500);
    let onPage = 0;
    let line = '';
    const flush = () => {
      if (line) page.drawText(line, { x: 56, y, size, font });
      y -= lead;
      line = '';
    };
    while (onPage < target) {
      const sentence = englishSentence(r).split(' ');
      for (const w of sentence) {
        const next = line ? `${line} ${w}` : w;
        if (font.widthOfTextAtSize(next, size) > maxWidth) {
          flush();
          line = w;
        } else line = next;
        onPage++;
      }
      if (r() < 0.15) flush(), (y -= lead / 2); // paragraph break
    }
    flush();
    page.drawText(String(p), { x: 300, y: 30, size: 9, font });
    words += onPage;
  }
  return { bytes: await doc.save(), words };
}

/**
 * `count` chunks of mixed Chinese/English sentences, each exactly `tokens` tokens long for the BERT
 * WordPiece tokenizer of `modelId` (including [CLS] and [SEP]; the e5 passage prefix adds 3 more).
 * The model is generated first if needed (its tokenizer is the real bge-small-zh one).
 */
export async function makeTokenChunks(count, tokens, modelId, seed = 64) {
  const { ensureSynthModel, MODELS_CACHE } = await import('./models.mjs');
  await ensureSynthModel(modelId);
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = `${MODELS_CACHE}/`;
  const tokenizer = await AutoTokenizer.from_pretrained(modelId);
  const count_ = (t) => tokenizer.encode(t).length;
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    let text = '';
    // Whole sentences while they fit, then character by character up to the exact length.
    for (;;) {
      const s = (r() < 0.5 ? chineseSentence(r) : englishSentence(r)) + ' ';
      if (count_(text + s) <= tokens) {
        text += s;
        continue;
      }
      for (const ch of s) {
        if (count_(text + ch) > tokens) break;
        text += ch;
      }
      break;
    }
    text = text.trim();
    while (count_(text) < tokens) text += '。'; // a trailing space may have been worth a token
    out.push(text);
  }
  return out;
}

const GENERATORS = {
  'embed-64x200tok.json': async () => Buffer.from(JSON.stringify(await makeTokenChunks(64, 200, 'synth/e5-small')), 'utf8'),
  'english-300p.pdf': async () => (await makeEnglishPdf(300)).bytes,
  'english-3p.pdf': async () => (await makeEnglishPdf(3, 3)).bytes,
  'mixed-zh-en-20mb.md': async () => Buffer.from(makeMixedMarkdown(20_000_000), 'utf8'),
};

const inflight = new Map();

/** Path of the cached fixture `name`, generating it first if needed; undefined for an unknown name. */
export function fixture(name) {
  const make = GENERATORS[name];
  if (!make) return undefined;
  const file = join(CACHE_DIR, `v${VERSION}-${name}`);
  if (existsSync(file)) return Promise.resolve(file);
  if (!inflight.has(name)) {
    inflight.set(
      name,
      (async () => {
        const started = performance.now();
        const bytes = await make();
        mkdirSync(CACHE_DIR, { recursive: true });
        writeFileSync(`${file}.tmp`, bytes);
        renameSync(`${file}.tmp`, file); // never leave a half-written fixture behind
        process.stderr.write(`[bench] generated ${name} (${(bytes.length / 1e6).toFixed(2)} MB) in ${Math.round(performance.now() - started)} ms\n`);
        return file;
      })().finally(() => inflight.delete(name)),
    );
  }
  return inflight.get(name);
}

export const fixtureNames = () => Object.keys(GENERATORS);
export const readFixture = async (name) => readFileSync(await fixture(name));
