// Background embedding and how vectors are held: the Search index panel's progress line with time
// left, the "embed the rest" offer, the ingestion queue's note that a stored file is searchable
// already, and the vector precision line.
export const embedding = {
  'embedding.progress': "Embedding {done} of {total} chunks",
  'embedding.left': "about {time} left",
  'embedding.estimating': "estimating time left…",
  'embedding.time.s': "{s} s",
  'embedding.time.min': "{m} min {s} s",
  'embedding.time.h': "{h} h {m} min",
  'embedding.rest': "Embed the rest",
  'embedding.elsewhere': "Another tab of Method Lab is embedding this library. Its vectors are stored for both tabs; reload this tab when it has finished to search them here.",
  'embedding.partial': "Dense search covers the {vectors} chunks with vectors; BM25 covers all {chunks}.",
  'embedding.searchable': "Stored files are searchable with BM25 now; their vectors are being made in the background ({done} of {total} chunks, see Search index).",
  'embedding.precision.int8': "Vectors: int8 with exact re-scoring ({rows})",
  'embedding.precision.f32': "Vectors: float32",
  'embedding.rows.file': "full-precision copy in a browser file",
  'embedding.rows.memory': "full-precision copy in memory",
  'index.embedder.server': "Embeddings: {model} on server {host} ({dim} dimensions)",
  'index.where.server': "Chunks are embedded on {host} (sent over the network), and so are your questions when dense search is on.",
  'index.change.confirmServer': "Changing the embedding model re-embeds all {n} chunks with {model} on {host}: every chunk is sent to that server. Continue?",
  'index.serverOption': "on a server you added: chunks are sent there",
} as const;
