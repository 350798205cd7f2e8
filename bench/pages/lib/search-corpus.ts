// A deterministic synthetic retrieval corpus: ~200-character chunks of mixed Chinese/English text
// and 384-dimensional L2-normalized vectors, plus queries (text + vector) drawn from it.
// Word frequencies follow a Zipf law over large vocabularies (3,500 Han characters combined into
// 15,000 Chinese words; 20,000 English-like words), so BM25 posting lists have realistic lengths: a
// tiny vocabulary would make every term hit most chunks and overstate query cost. Vectors are
// clustered (512 centroids plus noise), so dense hits are not uniform noise. Generated in the
// worker from a seed, in about a second per 100k chunks: no 150 MB fixture to fetch.
import { mulberry32 } from '../../../src/eval/metrics';

export const DIM = 384;

/** Mulberry32, the PRNG of bench/lib/fixtures.mjs (the app's own, from the metrics module). */
export const rng = mulberry32;

/** Samples ranks 0..n-1 with P(r) ∝ 1 / (r + 2.7)^s (Zipf–Mandelbrot). */
function zipf(n: number, s = 1.05): (r: () => number) => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 2.7, s);
  return (r) => {
    const x = r() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const EN_HEAD = (
  'the of and to in is for that on with as are be this by at from or it an was which have not will can all your their more ' +
  'employee policy leave annual team request manager approval payroll overtime month benefit health insurance pension ' +
  'training budget remote work equipment security password authentication laptop incident report help desk contractor ' +
  'procedure agreement travel expense receipt reimbursed office visitor badge data retention record customer contract ' +
  'model search index document chunk vector embedding query answer retrieval browser worker memory cache network'
).split(' ');
const SYLLABLES = 'ba be bi bo bu ca ce ci co da de di do en er fa fe fi ga ge go ha he hi ka ke ki ko la le li lo lu ma me mi mo na ne ni no nu pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi vo wa we ya yo za ze'.split(' ');
const ZH_PUNCT = ['，', '，', '，', '。', '。', '；', '、', '：'];

export interface Corpus {
  texts: string[];
  /** texts.length × DIM floats, row-major, each row of unit length. */
  vectors: Float32Array;
}

export interface Query {
  text: string;
  vector: Float32Array;
  /** The chunk the query was drawn from. */
  source: number;
}

function gaussian(r: () => number): number {
  // Box–Muller; 1 - r() keeps log away from 0.
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

function normalizeInPlace(v: Float32Array, at: number): void {
  let sq = 0;
  for (let j = 0; j < DIM; j++) sq += v[at + j] * v[at + j];
  const s = 1 / Math.sqrt(sq);
  for (let j = 0; j < DIM; j++) v[at + j] *= s;
}

function vocabularies(seed: number) {
  const r = rng(seed);
  // 3,500 distinct CJK Unified Ideographs: a stride through U+4E00–U+9FA5 (7919 is prime, coprime with 20902).
  const chars = Array.from({ length: 3500 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919 + 1234) % 20902)));
  const pickChar = zipf(chars.length, 1.0);
  const zhWords: string[] = [];
  for (let i = 0; i < 15000; i++) {
    const roll = r();
    const len = roll < 0.15 ? 1 : roll < 0.85 ? 2 : roll < 0.95 ? 3 : 4;
    let w = '';
    for (let k = 0; k < len; k++) w += chars[pickChar(r)];
    zhWords.push(w);
  }
  const seen = new Set(EN_HEAD);
  const enWords = [...EN_HEAD];
  while (enWords.length < 20000) {
    const n = 1 + Math.floor(r() * 4);
    let w = '';
    for (let k = 0; k < n; k++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    if (!seen.has(w)) seen.add(w), enWords.push(w);
  }
  return { zhWords, enWords, pickZh: zipf(zhWords.length), pickEn: zipf(enWords.length) };
}

/** One chunk of 180–220 characters: mostly Chinese, English or mixed, words drawn by Zipf rank. */
function chunkText(r: () => number, zhWords: string[], enWords: string[], pickZh: (r: () => number) => number, pickEn: (r: () => number) => number): string {
  const target = 180 + Math.floor(r() * 41);
  const kind = r();
  let s = '';
  while (s.length < target) {
    const zh = kind < 0.5 ? r() < 0.85 : kind < 0.75 ? r() < 0.1 : r() < 0.5;
    if (zh) {
      const words = 3 + Math.floor(r() * 10);
      for (let k = 0; k < words; k++) s += zhWords[pickZh(r)];
      s += ZH_PUNCT[Math.floor(r() * ZH_PUNCT.length)];
    } else {
      const words = 3 + Math.floor(r() * 10);
      const parts: string[] = [];
      for (let k = 0; k < words; k++) parts.push(enWords[pickEn(r)]);
      if (r() < 0.15) parts.push(String(Math.floor(r() * 2030)));
      s += (s && !/[，。；、：]$/.test(s) ? ' ' : '') + parts.join(' ') + (r() < 0.8 ? '.' : ',');
    }
  }
  return s.slice(0, target);
}

/** `n` chunks of 180–220 characters (about half mostly Chinese, a quarter English, a quarter mixed). */
export function makeCorpus(n: number, seed = 20261122): Corpus {
  const { zhWords, enWords, pickZh, pickEn } = vocabularies(seed);
  const r = rng(seed + 1);
  const texts: string[] = new Array(n);
  for (let i = 0; i < n; i++) texts[i] = chunkText(r, zhWords, enWords, pickZh, pickEn);
  const vectors = new Float32Array(n * DIM);
  const centroids = new Float32Array(512 * DIM);
  for (let j = 0; j < centroids.length; j++) centroids[j] = gaussian(r);
  for (let c = 0; c < 512; c++) normalizeInPlace(centroids, c * DIM);
  const noise = 0.9 / Math.sqrt(DIM); // cos(chunk, its centroid) ≈ 0.75
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * 512) * DIM;
    const at = i * DIM;
    for (let j = 0; j < DIM; j++) vectors[at + j] = centroids[c + j] + noise * gaussian(r);
    normalizeInPlace(vectors, at);
  }
  return { texts, vectors };
}

/**
 * A corpus of `n` chunks made in batches of `batch` and handed to `onBatch(start, texts, vectors)`, so
 * a million chunks never sit in memory at once (their texts alone would be ~400 MB). Texts and vectors
 * use separate PRNG streams, so every prefix is the same whatever `n` is; it is not `makeCorpus`'s
 * sequence (which draws all texts before any vector), only its distribution.
 */
export function streamCorpus(n: number, batch: number, onBatch: (start: number, texts: string[], vectors: Float32Array) => void, seed = 20261122): void {
  const { zhWords, enWords, pickZh, pickEn } = vocabularies(seed); // makeCorpus's vocabularies
  const rt = rng(seed + 3);
  const rv = rng(seed + 4);
  const centroids = new Float32Array(512 * DIM);
  for (let j = 0; j < centroids.length; j++) centroids[j] = gaussian(rv);
  for (let c = 0; c < 512; c++) normalizeInPlace(centroids, c * DIM);
  const noise = 0.9 / Math.sqrt(DIM);
  for (let start = 0; start < n; start += batch) {
    const m = Math.min(batch, n - start);
    const texts: string[] = new Array(m);
    for (let i = 0; i < m; i++) texts[i] = chunkText(rt, zhWords, enWords, pickZh, pickEn);
    const vectors = new Float32Array(m * DIM);
    for (let i = 0; i < m; i++) {
      const c = Math.floor(rv() * 512) * DIM;
      for (let j = 0; j < DIM; j++) vectors[i * DIM + j] = centroids[c + j] + noise * gaussian(rv);
      normalizeInPlace(vectors, i * DIM);
    }
    onBatch(start, texts, vectors);
  }
}

const QUESTION_WORDS = ['如何', '什么是', 'how to', 'what is', '为什么', 'which', '是否', 'when'];

/**
 * `count` queries drawn from chunks below `fromFirst` (so they exist in every corpus prefix of that
 * size): 4–24 characters cut from the chunk at word boundaries, sometimes with a question word; the
 * vector is the chunk's vector plus noise (cosine about 0.7), normalized.
 */
export function makeQueries(corpus: Corpus, count: number, fromFirst: number, seed = 7): Query[] {
  const r = rng(seed);
  const out: Query[] = [];
  while (out.length < count) {
    const source = Math.floor(r() * Math.min(fromFirst, corpus.texts.length));
    const t = corpus.texts[source];
    const len = 4 + Math.floor(r() * 21);
    let start = Math.floor(r() * Math.max(1, t.length - len));
    let end = Math.min(t.length, start + len);
    // Do not cut Latin words in half.
    while (start > 0 && /[a-z0-9]/.test(t[start - 1]) && /[a-z0-9]/.test(t[start])) start--;
    while (end < t.length && /[a-z0-9]/.test(t[end - 1]) && /[a-z0-9]/.test(t[end])) end++;
    let text = t.slice(start, end).replace(/^[\s，。；、：.,]+|[\s，。；、：.,]+$/g, '');
    if (!text) continue;
    if (r() < 0.3) text = `${QUESTION_WORDS[Math.floor(r() * QUESTION_WORDS.length)]} ${text}`;
    const vector = new Float32Array(DIM);
    const noise = 1 / Math.sqrt(DIM);
    for (let j = 0; j < DIM; j++) vector[j] = corpus.vectors[source * DIM + j] + noise * gaussian(r);
    normalizeInPlace(vector, 0);
    out.push({ text, vector, source });
  }
  return out;
}
