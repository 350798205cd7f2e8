// Reciprocal Rank Fusion of dense and BM25 rankings (Cormack et al. 2009): ranks, not raw scores,
// are fused, because cosine and BM25 scores live on unrelated scales. A method that is switched
// off simply contributes no list, so the other one's order is kept as is.

/** The RRF constant from the paper; larger values flatten the advantage of top ranks. */
export const RRF_K = 60;

export interface Fused {
  id: string;
  /** Σ 1 / (k + rank) over the lists that contain the id. */
  score: number;
  /** 1-based rank in each input list, null where the id is absent. */
  ranks: (number | null)[];
}

export interface Hit {
  id: string;
  /** RRF score (0 when there was nothing to fuse). */
  fused: number;
  /** 1-based position in this result list (after reranking, if any). */
  rank: number;
  /** Cosine similarity and 1-based rank among the dense candidates. */
  dense?: { score: number; rank: number };
  /** BM25 score and 1-based rank among the BM25 candidates. */
  bm25?: { score: number; rank: number };
  /** Cross-encoder score, set by `applyRerank`. */
  rerank?: number;
}

/**
 * Fuses rankings, best first. An id repeated within one list counts at its first (best) rank.
 * Equal scores are ordered rank-major: by best rank, then by which list gave it (earlier first).
 */
export function rrf(rankings: readonly (readonly { id: string }[])[], k = RRF_K): Fused[] {
  const byId = new Map<string, Fused & { order: number }>();
  const depth = Math.max(0, ...rankings.map((r) => r.length));
  let order = 0;
  for (let pos = 0; pos < depth; pos++) {
    for (let list = 0; list < rankings.length; list++) {
      const item = rankings[list][pos];
      if (item === undefined) continue;
      let f = byId.get(item.id);
      if (f === undefined) {
        f = { id: item.id, score: 0, ranks: new Array<number | null>(rankings.length).fill(null), order: order++ };
        byId.set(item.id, f);
      }
      if (f.ranks[list] !== null) continue;
      f.ranks[list] = pos + 1;
      f.score += 1 / (k + pos + 1);
    }
  }
  return [...byId.values()]
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map(({ id, score, ranks }) => ({ id, score, ranks }));
}

export interface HybridInput {
  /** Dense candidates, best first; omit when dense retrieval is off. */
  dense?: readonly { id: string; score: number }[];
  /** BM25 candidates, best first; omit when BM25 is off. */
  sparse?: readonly { id: string; score: number }[];
  /** How many hits to return. */
  k: number;
  /** RRF constant (default 60). */
  rrfK?: number;
}

/** Top `k` hits fusing whichever candidate lists are given, each hit carrying its per-method evidence. */
export function hybridSearch({ dense, sparse, k, rrfK = RRF_K }: HybridInput): Hit[] {
  const lists = [dense, sparse].filter((l) => l !== undefined);
  const fused = rrf(lists, rrfK);
  const denseAt = dense === undefined ? -1 : 0;
  const sparseAt = dense === undefined ? 0 : 1;
  return fused.slice(0, Math.max(0, k)).map((f, i) => {
    const hit: Hit = { id: f.id, fused: f.score, rank: i + 1 };
    const dr = denseAt === -1 ? null : f.ranks[denseAt];
    if (dense !== undefined && dr !== null) hit.dense = { score: dense[dr - 1].score, rank: dr };
    const sr = sparse === undefined ? null : f.ranks[sparseAt];
    if (sparse !== undefined && sr !== null) hit.bm25 = { score: sparse[sr - 1].score, rank: sr };
    return hit;
  });
}
