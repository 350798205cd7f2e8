// The event-stream decoder and the chat-stream parser, on transcripts in the shapes the servers
// send, split into network chunks at every byte offset (inside UTF-8 characters and CRLFs too).
// Where each shape comes from is cited next to it.

import { describe, expect, it } from 'vitest';
import { ChatStreamParser, SseDecoder, chatItemsFromEvent, type ChatStreamItem } from '../../../src/server/sse';

const enc = new TextEncoder();

/** Parses `bytes` delivered in the given chunks; returns the items and whether the end was cut. */
function parseChunks(chunks: Uint8Array[]): { items: ChatStreamItem[]; truncated: boolean } {
  const p = new ChatStreamParser();
  const items = chunks.flatMap((c) => p.push(c));
  const end = p.end();
  return { items: [...items, ...end.items], truncated: end.truncated };
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

/** Every way of cutting the transcript once, byte by byte, and a few seeded multi-cuts must all agree. */
function parseEverySplit(transcript: string) {
  const bytes = enc.encode(transcript);
  const whole = parseChunks([bytes]);
  for (let i = 1; i < bytes.length; i++) expect(parseChunks(splitAt(bytes, [i]))).toEqual(whole);
  expect(parseChunks(Array.from(bytes, (b) => Uint8Array.of(b)))).toEqual(whole);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let k = 0; k < 50; k++) {
    const cuts = [...new Set(Array.from({ length: 6 }, () => 1 + Math.floor(rand() * (bytes.length - 1))))].sort((a, b) => a - b);
    expect(parseChunks(splitAt(bytes, cuts))).toEqual(whole);
  }
  return whole;
}

const textOf = (items: ChatStreamItem[]) => items.flatMap((i) => (i.type === 'delta' ? [i.text] : [])).join('');
const ofType = <T extends ChatStreamItem['type']>(items: ChatStreamItem[], t: T) => items.filter((i): i is Extract<ChatStreamItem, { type: T }> => i.type === t);

describe('Ollama /v1/chat/completions stream', () => {
  // Shape: ollama/ollama middleware/openai.go (ChatWriter.writeResponse writes `data: %s\n\n` per
  // chunk; with stream_options.include_usage a last chunk with `choices: []` and `usage`; then
  // `data: [DONE]\n\n`) and openai/openai.go (ToChunk: role "assistant" in every delta,
  // system_fingerprint "fp_ollama", finish_reason null until the end). Content as observed in
  // ollama/ollama#4357.
  const chunk = (content: string, finish: string | null) =>
    `data: {"id":"chatcmpl-693","object":"chat.completion.chunk","created":1715427619,"model":"mistral:latest","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":${JSON.stringify(content)}},"finish_reason":${JSON.stringify(finish)}}]}\n\n`;
  const transcript =
    chunk(' if', null) +
    chunk(' you', null) +
    chunk(' have', null) +
    chunk(' any questions', null) +
    chunk('', 'stop') +
    'data: {"id":"chatcmpl-693","object":"chat.completion.chunk","created":1715427619,"model":"mistral:latest","system_fingerprint":"fp_ollama","choices":[],"usage":{"prompt_tokens":26,"completion_tokens":5,"total_tokens":31}}\n\n' +
    'data: [DONE]\n\n';

  it('gives the text, stop, the usage chunk with choices: [] and [DONE], however the bytes are split', () => {
    const { items, truncated } = parseEverySplit(transcript);
    expect(textOf(items)).toBe(' if you have any questions');
    expect(ofType(items, 'finish')).toEqual([{ type: 'finish', reason: 'stop' }]);
    expect(ofType(items, 'usage')).toEqual([{ type: 'usage', promptTokens: 26, completionTokens: 5 }]);
    expect(items.at(-1)).toEqual({ type: 'done' });
    expect(truncated).toBe(false);
  });

  it('an empty-string finish_reason on every chunk (older Ollama, ollama/ollama#4357) does not finish the answer', () => {
    const quirky = transcript.replaceAll('"finish_reason":null', '"finish_reason":""');
    const { items } = parseEverySplit(quirky);
    expect(ofType(items, 'finish')).toEqual([{ type: 'finish', reason: 'stop' }]);
    expect(textOf(items)).toBe(' if you have any questions');
  });
});

describe('vLLM stream', () => {
  // Chunks as observed from vLLM's OpenAI server in vllm-project/vllm#6083 (a role-only first delta,
  // `logprobs: null`, Chinese text in multi-byte UTF-8). With stream_options.include_usage vLLM's
  // serving_chat.py adds `final_usage_chunk` (choices=[], usage, dumped with exclude_none) before
  // `data: [DONE]`, and while include_usage is on the other chunks carry `"usage": null`.
  const head = '{"id":"cmpl-840312ff78664572bb504e606140b952","object":"chat.completion.chunk","created":1719969577,"model":"Qwen-v"';
  const delta = (d: string, finish: string | null = null) => `data: ${head},"choices":[{"index":0,"delta":${d},"logprobs":null,"finish_reason":${JSON.stringify(finish)}}],"usage":null}\n\n`;
  const transcript =
    delta('{"role":"assistant"}') +
    delta('{"content":"我是"}') +
    delta('{"content":"阿里"}') +
    delta('{"content":"云"}') +
    delta('{"content":"开发"}') +
    delta('{"content":"的一款"}') +
    delta('{"content":""}', 'length') +
    `data: ${head},"choices":[],"usage":{"prompt_tokens":20,"total_tokens":26,"completion_tokens":6}}\n\n` +
    'data: [DONE]\n\n';

  it('rejoins characters split across network chunks and reads the final usage chunk', () => {
    const { items, truncated } = parseEverySplit(transcript);
    expect(textOf(items)).toBe('我是阿里云开发的一款');
    expect(ofType(items, 'finish')).toEqual([{ type: 'finish', reason: 'length' }]);
    expect(ofType(items, 'usage')).toEqual([{ type: 'usage', promptTokens: 20, completionTokens: 6 }]);
    expect(truncated).toBe(false);
  });

  it('an error sent inside the stream (create_streaming_error_response: {"error": {...}} then [DONE])', () => {
    const err =
      delta('{"role":"assistant"}') +
      'data: {"error": {"message": "This model\'s maximum context length is 2048 tokens.", "type": "BadRequestError", "param": null, "code": 400}}\n\n' +
      'data: [DONE]\n\n';
    const { items } = parseEverySplit(err);
    expect(ofType(items, 'error')).toEqual([{ type: 'error', message: "This model's maximum context length is 2048 tokens.", errorType: 'BadRequestError', status: 400 }]);
  });

  it('the older flat error shape ({"object": "error", "message", "type", "code"})', () => {
    const items = chatItemsFromEvent({ event: 'message', data: '{"object":"error","message":"Sampling failed","type":"BadRequestError","param":null,"code":400}' });
    expect(items).toEqual([{ type: 'error', message: 'Sampling failed', errorType: 'BadRequestError', status: 400 }]);
  });
});

describe('llama-server stream', () => {
  // Current llama.cpp (tools/server/server-task.cpp, to_json_oaicompat_chat_stream): content deltas
  // with finish_reason null, a last delta `{}` with the finish_reason, then — with include_usage — a
  // chunk with `choices: []`, `usage` and llama.cpp's `timings`; server.cpp then writes `data: [DONE]`.
  const meta = '"created":1754524122,"id":"chatcmpl-yPk7z9nC22CofOlh100qQdHVEDMNYCb1","model":"gpt-oss:20b","system_fingerprint":"b6097-9515c613","object":"chat.completion.chunk"';
  const timings = '"timings":{"prompt_n":1085,"prompt_ms":203.378,"prompt_per_token_ms":0.18744516129032257,"prompt_per_second":5334.893646313762,"predicted_n":247,"predicted_ms":933.63,"predicted_per_token_ms":3.7798785425101213,"predicted_per_second":264.5587652496171}';
  const content = (c: string) => `data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":${JSON.stringify(c)}}}],${meta}}\n\n`;

  it('usage in its own last chunk (current builds)', () => {
    const transcript =
      `data: {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],${meta}}\n\n` +
      content('Hello') +
      content('! 👋') +
      `data: {"choices":[{"finish_reason":"stop","index":0,"delta":{}}],${meta}}\n\n` +
      `data: {"choices":[],${meta},"usage":{"completion_tokens":247,"prompt_tokens":1085,"total_tokens":1332},${timings}}\n\n` +
      'data: [DONE]\n\n';
    const { items } = parseEverySplit(transcript);
    expect(textOf(items)).toBe('Hello! 👋');
    expect(ofType(items, 'finish')).toEqual([{ type: 'finish', reason: 'stop' }]);
    expect(ofType(items, 'usage')).toEqual([{ type: 'usage', promptTokens: 1085, completionTokens: 247 }]);
    expect(items.at(-1)).toEqual({ type: 'done' });
  });

  it('usage inside the final chunk next to finish_reason (b6097, as logged in g0t4/ask-openai.nvim NOTES.md)', () => {
    const transcript =
      content('Hello') +
      `data: {"choices":[{"finish_reason":"stop","index":0,"delta":{}}],${meta},"usage":{"completion_tokens":247,"prompt_tokens":1085,"total_tokens":1332},${timings}}\n\n` +
      'data: [DONE]\n\n';
    const { items } = parseEverySplit(transcript);
    expect(items).toEqual([
      { type: 'delta', text: 'Hello' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', promptTokens: 1085, completionTokens: 247 },
      { type: 'done' },
    ]);
  });

  it('an error sent as a non-standard `error:` field (server.cpp: server_sent_event(sink, "error", error_data))', () => {
    const transcript = content('Hel') + 'error: {"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error"}\n\n' + 'data: [DONE]\n\n';
    const { items } = parseEverySplit(transcript);
    expect(ofType(items, 'error')).toEqual([{ type: 'error', message: 'the request exceeds the available context size, try increasing it', errorType: 'exceed_context_size_error', status: 400 }]);
  });
});

describe('event-stream grammar (WHATWG HTML, "Server-sent events" parsing rules)', () => {
  it('CRLF line ends and `: ping` comments, as sse-starlette writes them (DEFAULT_SEPARATOR "\\r\\n", its keep-alive ping comment)', () => {
    const transcript =
      ': ping - 2024-07-03 01:19:37.421155+00:00\r\n\r\n' +
      'data: {"choices":[{"index":0,"delta":{"content":"Ni hao, 你好"},"finish_reason":null}]}\r\n\r\n' +
      ': ping - 2024-07-03 01:19:52.421155+00:00\r\n\r\n' +
      'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\r\n\r\n' +
      'data: [DONE]\r\n\r\n';
    const { items, truncated } = parseEverySplit(transcript);
    expect(items).toEqual([{ type: 'delta', text: 'Ni hao, 你好' }, { type: 'finish', reason: 'stop' }, { type: 'done' }]);
    expect(truncated).toBe(false);
  });

  it('lone CR line ends, a data field split over several lines, `event:` and `id:` lines, and a BOM', () => {
    const d = new SseDecoder();
    const events = d.push('\uFEFFevent: delta\rid: 7\rdata: {"a":\rdata: 1}\r\rdata:no-space\n\n: only a comment\n\nretry: 10\n\n');
    expect(events).toEqual([
      { event: 'delta', id: '7', data: '{"a":\n1}' },
      { event: 'message', id: '7', data: 'no-space' },
    ]);
    expect(d.end()).toEqual({ events: [], truncated: false });
  });

  it('a multi-line data payload is one JSON chunk, with LF or CRLF, even when a CRLF is split between chunks', () => {
    for (const eol of ['\n', '\r\n']) {
      const { items } = parseEverySplit(`data: {"choices":[{"index":0,${eol}data: "delta":{"content":"two lines"}}]}${eol}${eol}data: [DONE]${eol}${eol}`);
      expect(items).toEqual([{ type: 'delta', text: 'two lines' }, { type: 'done' }]);
    }
  });

  it('a stream that stops in the middle of an event is reported as truncated, the unfinished event dropped', () => {
    const { items, truncated } = parseChunks([enc.encode('data: {"choices":[{"index":0,"delta":{"content":"kept"}}]}\n\ndata: {"choices":[{"index":0,"delta":{"con')]);
    expect(textOf(items)).toBe('kept');
    expect(truncated).toBe(true);
    // The same stream stopping exactly between events is not truncated (the parser cannot tell; the engine checks [DONE]).
    expect(parseChunks([enc.encode('data: {"choices":[{"index":0,"delta":{"content":"kept"}}]}\n\n')]).truncated).toBe(false);
  });

  it('an unterminated final `data: [DONE]` still ends the stream', () => {
    expect(parseChunks([enc.encode('data: [DONE]')])).toEqual({ items: [{ type: 'done' }], truncated: false });
  });

  it('a chunk that is not JSON becomes an error item, not an exception', () => {
    const { items } = parseChunks([enc.encode('data: <html>502 Bad Gateway</html>\n\n')]);
    expect(items).toEqual([{ type: 'error', message: 'The server sent a chunk that is not JSON: <html>502 Bad Gateway</html>', errorType: 'bad-chunk', status: null }]);
  });

  it('reasoning text (reasoning_content, Ollama `reasoning`) is kept apart from the answer', () => {
    const items = chatItemsFromEvent({ event: 'message', data: '{"choices":[{"index":0,"delta":{"reasoning_content":"Let me think"},"finish_reason":null}]}' });
    expect(items).toEqual([{ type: 'reasoning', text: 'Let me think' }]);
    expect(chatItemsFromEvent({ event: 'message', data: '{"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"hmm"},"finish_reason":null}]}' })).toEqual([{ type: 'reasoning', text: 'hmm' }]);
  });

  it('invalid UTF-8 becomes U+FFFD instead of throwing', () => {
    const bytes = new Uint8Array([...enc.encode('data: {"choices":[{"index":0,"delta":{"content":"a'), 0xff, ...enc.encode('b"}}]}\n\n')]);
    expect(textOf(parseChunks([bytes]).items)).toBe('a\uFFFDb');
  });
});
