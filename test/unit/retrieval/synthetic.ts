// Deterministic synthetic corpus for timing: ~200-char chunks of mixed Chinese and English whose
// words follow a Zipf law, so posting-list lengths and vocabulary growth look like real documents.

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function zipf(n: number, rand: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1);
  return () => {
    const x = rand() * sum;
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

export function syntheticChunks(count: number, seed = 1): string[] {
  const rand = rng(seed);
  const chars = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000)));
  const charOf = zipf(chars.length, rand);
  const zhWords = Array.from({ length: 20000 }, () => {
    const len = 1 + Math.floor(rand() * 3.2);
    let w = '';
    for (let i = 0; i < len; i++) w += chars[charOf()];
    return w;
  });
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const enWords = Array.from({ length: 8000 }, () => {
    const len = 2 + Math.floor(rand() * 8);
    let w = '';
    for (let i = 0; i < len; i++) w += letters[Math.floor(rand() * 26)];
    return w;
  });
  const zhOf = zipf(zhWords.length, rand);
  const enOf = zipf(enWords.length, rand);
  const out: string[] = [];
  for (let c = 0; c < count; c++) {
    let s = '';
    while (s.length < 200) {
      const r = rand();
      if (r < 0.7) s += zhWords[zhOf()];
      else if (r < 0.93) s += ' ' + enWords[enOf()] + ' ';
      else if (r < 0.97) s += '，';
      else s += String(Math.floor(rand() * 1000));
      if (rand() < 0.05) s += '。';
    }
    out.push(s);
  }
  return out;
}
