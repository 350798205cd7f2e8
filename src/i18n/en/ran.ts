// What actually ran: the one-line retrieval and model summaries under each lane, evaluation item and
// inspector result, the reasons a part did not run, and the choice to go on without it.
export const ran = {
  'ran.retrieval': "Retrieval: {parts}",
  'ran.retrievalOnly': "Retrieval: {parts} only — {reasons}",
  'ran.part.bm25': "BM25",
  'ran.part.dense': "dense",
  'ran.part.rerank': "rerank",
  'ran.none': "nothing",
  'ran.vectors': "vectors for {vectors} of {chunks} chunks ({model})",
  'ran.model': "Model: {model} · {engine} · {where}",
  'ran.modelFallback': "Model: {model} · {engine} · {where} — {reason}",
  'ran.onServer': 'server · {host}',
  'ran.why.no-embedder': "no embedding model is loaded",
  'ran.why.no-vectors': "no chunk has a vector for {model} yet",
  'ran.why.embedder-failed': "the embedding model {model} could not be loaded",
  'ran.why.no-reranker': "the reranker is not loaded",
  'ran.why.reranker-failed': "the reranker could not be loaded",
  'ran.why.llm-engine': "{reason}",
  'ran.continueBm25': "Continue with BM25 only",
  'ran.continueNoRerank': "Continue without reranking",
  'ran.differs': "Retrieval differed from the run's settings",
  'ran.differsCount': "{n} of {total} answers ran a different retrieval than the run's settings (marked ⚠ below).",
} as const;
