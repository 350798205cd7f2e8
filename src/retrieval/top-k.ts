// Bounded binary min-heap that keeps the k best items of a scan in O(n log k), without sorting all n.
// Order is score descending, then tie key ascending (callers pass insertion order as the key).

export class TopK {
  private readonly scores: Float64Array;
  private readonly ties: Float64Array;
  private readonly items: Int32Array;
  private n = 0;

  constructor(private readonly k: number) {
    this.scores = new Float64Array(Math.max(0, k));
    this.ties = new Float64Array(Math.max(0, k));
    this.items = new Int32Array(Math.max(0, k));
  }

  /** A newcomer must score at least this to enter (-Infinity until full); lets a scan skip work. */
  get threshold(): number {
    return this.n < this.k ? -Infinity : this.scores[0];
  }

  /** With equal scores the lower `tie` wins; `tie` defaults to `item`. */
  offer(item: number, score: number, tie: number = item): void {
    if (this.k <= 0) return;
    const { scores, ties, items } = this;
    let i: number;
    if (this.n < this.k) {
      // Sift up from the new leaf.
      i = this.n++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(score, tie, scores[parent], ties[parent])) break;
        scores[i] = scores[parent];
        ties[i] = ties[parent];
        items[i] = items[parent];
        i = parent;
      }
    } else {
      if (!worse(scores[0], ties[0], score, tie)) return;
      // Replace the root (the worst kept) and sift down.
      i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= this.n) break;
        const r = l + 1;
        const c = r < this.n && worse(scores[r], ties[r], scores[l], ties[l]) ? r : l;
        if (!worse(scores[c], ties[c], score, tie)) break;
        scores[i] = scores[c];
        ties[i] = ties[c];
        items[i] = items[c];
        i = c;
      }
    }
    scores[i] = score;
    ties[i] = tie;
    items[i] = item;
  }

  /** Kept items as [item, score], best first. */
  sorted(): [number, number][] {
    const order = Array.from({ length: this.n }, (_, i) => i);
    order.sort((a, b) => this.scores[b] - this.scores[a] || this.ties[a] - this.ties[b]);
    return order.map((i) => [this.items[i], this.scores[i]]);
  }
}

function worse(s1: number, t1: number, s2: number, t2: number): boolean {
  return s1 < s2 || (s1 === s2 && t1 > t2);
}
