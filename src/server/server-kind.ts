// Which OpenAI-compatible server software sits behind a base URL, as far as we can tell. Used only
// to word advice (how to allow this page's origin, which flag to pass), never to change behaviour.

export type ServerKind = 'ollama' | 'vllm' | 'llama-server' | 'lm-studio' | 'sglang' | 'tei' | 'other';

export const SERVER_KINDS: readonly ServerKind[] = ['ollama', 'vllm', 'llama-server', 'lm-studio', 'sglang', 'tei', 'other'];

/** Human names, identical in every language (they are product names). */
export const SERVER_KIND_NAMES: Record<ServerKind, string> = {
  ollama: 'Ollama',
  vllm: 'vLLM',
  'llama-server': 'llama.cpp llama-server',
  'lm-studio': 'LM Studio',
  sglang: 'SGLang',
  tei: 'Text Embeddings Inference',
  other: 'OpenAI-compatible server',
};

// The ports each server listens on by default (from their docs); a user who changed the port gets 'other'.
const DEFAULT_PORTS: Record<string, ServerKind> = {
  '11434': 'ollama',
  '8000': 'vllm',
  '8080': 'llama-server',
  '1234': 'lm-studio',
  '30000': 'sglang',
};

/** A guess from the base URL's port alone (the only clue left when CORS hides every reply). */
export function guessKindFromUrl(baseUrl: string): ServerKind {
  try {
    return DEFAULT_PORTS[new URL(baseUrl).port] ?? 'other';
  } catch {
    return 'other';
  }
}

/**
 * A guess from `GET /models` entries: vLLM writes `owned_by: "vllm"`, llama-server `"llamacpp"`,
 * SGLang `"sglang"`, LM Studio `"organization_owner"`; Ollama uses the model's namespace
 * (`"library"` for official models) and ids with a `:tag`.
 */
export function guessKindFromModels(models: readonly { id: string; ownedBy?: string }[]): ServerKind | null {
  for (const m of models) {
    const owner = (m.ownedBy ?? '').toLowerCase();
    if (owner === 'vllm') return 'vllm';
    if (owner === 'llamacpp') return 'llama-server';
    if (owner === 'sglang') return 'sglang';
    if (owner === 'organization_owner') return 'lm-studio';
    if (owner === 'library' || /^[\w.-]+(\/[\w.-]+)?:[\w.-]+$/.test(m.id)) return 'ollama';
  }
  return null;
}

/**
 * What to change on the server so that a page at `origin` may call it, per server. Commands and
 * flags are language-neutral, so the same text serves every UI language.
 */
export function corsFix(kind: ServerKind, origin: string): string {
  switch (kind) {
    case 'ollama':
      return `OLLAMA_ORIGINS=${origin} ollama serve`;
    case 'vllm':
      return `vllm serve <model> --allowed-origins '["${origin}"]'`;
    case 'llama-server':
      return `llama-server … --cors-origins ${origin}`;
    case 'lm-studio':
      return 'LM Studio → Developer → Server Settings → Enable CORS (or `lms server start --cors`)';
    case 'sglang':
      return `SGLang allows every origin by default: check the proxy in front of it forwards CORS headers for ${origin}`;
    case 'tei':
      return `text-embeddings-router … --cors-allow-origin ${origin}`;
    case 'other':
      return [
        `Ollama: OLLAMA_ORIGINS=${origin} ollama serve`,
        `vLLM: --allowed-origins '["${origin}"]'`,
        `llama-server: --cors-origins ${origin}`,
        'LM Studio: Enable CORS',
      ].join(' · ');
  }
}
