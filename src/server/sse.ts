// Streaming parsers for OpenAI-compatible chat-completion streams. `SseDecoder` turns bytes into
// server-sent events exactly as the WHATWG event-stream grammar says (bytes may be split anywhere,
// even inside a UTF-8 character or a CRLF); `ChatStreamParser` turns those events into answer text,
// finish reasons, usage and in-stream errors, across the shapes Ollama, vLLM and llama-server send.

/** One dispatched event. `event` is 'message' unless the stream named it (`event:` line). */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Incremental event-stream decoder (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 * One non-standard field is understood: llama-server builds that stream errors as `error: {json}`
 * (its `server_sent_event(sink, "error", …)`) get them as an event named 'error'.
 */
export class SseDecoder {
  private readonly utf8 = new TextDecoder('utf-8');
  /** Text of the current line, not yet terminated. */
  private line = '';
  /** The previous chunk ended with CR: a LF at the start of the next one belongs to that CRLF. */
  private skipLeadingLf = false;
  private data: string[] = [];
  private eventType = '';
  private lastId: string | undefined;
  /** No text seen yet: a leading byte order mark is still to be dropped (TextDecoder does it for bytes). */
  private atStart = true;

  /** Feeds bytes (or already-decoded text) and returns the events they complete, in order. */
  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.utf8.decode(chunk, { stream: true });
    if (this.atStart && text !== '') {
      if (text.startsWith('\uFEFF')) text = text.slice(1);
      this.atStart = false;
    }
    return this.scan(text);
  }

  /**
   * Ends the stream. Per the spec an event without its closing blank line is discarded; `truncated`
   * says something was discarded. One leniency: a lone unterminated `data: [DONE]` still counts.
   */
  end(): { events: SseEvent[]; truncated: boolean } {
    const events = this.scan(this.utf8.decode());
    const partialLine = this.line !== '';
    // Read the unterminated last line as if it were terminated, only to see whether it is [DONE].
    if (partialLine) this.field(this.line);
    this.line = '';
    const pendingDone = this.data.length === 1 && this.data[0].trim() === '[DONE]';
    if (pendingDone) events.push({ event: this.eventType || 'message', data: '[DONE]' });
    const truncated = !pendingDone && (partialLine || this.data.length > 0);
    this.data = [];
    this.eventType = '';
    return { events, truncated };
  }

  private scan(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let start = 0;
    if (this.skipLeadingLf && text.length > 0) {
      if (text[0] === '\n') start = 1;
      this.skipLeadingLf = false;
    }
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c !== '\n' && c !== '\r') continue;
      const line = this.line + text.slice(start, i);
      this.line = '';
      if (c === '\r') {
        if (i + 1 < text.length) {
          if (text[i + 1] === '\n') i++;
        } else {
          this.skipLeadingLf = true;
        }
      }
      start = i + 1;
      if (line !== '') {
        this.field(line);
        continue;
      }
      const ev = this.dispatch();
      if (ev) out.push(ev);
    }
    this.line += text.slice(start);
    return out;
  }

  private field(line: string): void {
    if (line.startsWith(':')) return; // a comment, e.g. `: ping`
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (name) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'error':
        this.eventType = 'error';
        this.data.push(value);
        break;
      default:
      // `retry` and unknown fields are ignored, as the spec says.
    }
  }

  private dispatch(): SseEvent | null {
    if (this.data.length === 0) {
      this.eventType = '';
      return null;
    }
    const ev: SseEvent = { event: this.eventType || 'message', data: this.data.join('\n') };
    if (this.lastId !== undefined) ev.id = this.lastId;
    this.data = [];
    this.eventType = '';
    return ev;
  }
}

/** What a chat-completion stream says, event by event. */
export type ChatStreamItem =
  | { type: 'delta'; text: string }
  /** Thinking text some servers stream separately (`reasoning_content`, Ollama's `reasoning`); not part of the answer. */
  | { type: 'reasoning'; text: string }
  | { type: 'finish'; reason: string }
  | { type: 'usage'; promptTokens: number | null; completionTokens: number | null }
  /** An error the server sent inside the stream; `status` is its HTTP-style code when it gave one. */
  | { type: 'error'; message: string; errorType: string | null; status: number | null }
  | { type: 'done' };

type Json = Record<string, unknown>;

function isRecord(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function str(x: unknown): string | null {
  return typeof x === 'string' ? x : null;
}

function count(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : null;
}

/**
 * The message and code of an error payload, in any of the shapes servers use:
 * `{error: {message, type, code}}` (OpenAI, vLLM ≥0.6, llama-server), `{error: "…"}` (Ollama),
 * `{object: "error", message, type, code}` (older vLLM), `{code, message, type}` (llama-server's `error:` field).
 */
export function errorFromPayload(obj: Json, named: boolean): { message: string; errorType: string | null; status: number | null } | null {
  const e = obj.error;
  if (isRecord(e)) {
    const status = count(e.code);
    return { message: str(e.message) ?? JSON.stringify(e), errorType: str(e.type), status };
  }
  if (typeof e === 'string') return { message: e, errorType: null, status: count(obj.code) };
  if (obj.object === 'error' || (named && str(obj.message) !== null)) {
    return { message: str(obj.message) ?? 'unknown error', errorType: str(obj.type), status: count(obj.code) };
  }
  return null;
}

/** Interprets one event of a chat-completion stream. Only choice 0 is read (we always ask for n = 1). */
export function chatItemsFromEvent(ev: SseEvent): ChatStreamItem[] {
  const raw = ev.data.trim();
  if (raw === '[DONE]') return [{ type: 'done' }];
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    if (ev.event === 'error') return [{ type: 'error', message: raw || 'error', errorType: null, status: null }];
    return [{ type: 'error', message: `The server sent a chunk that is not JSON: ${raw.slice(0, 120)}`, errorType: 'bad-chunk', status: null }];
  }
  if (!isRecord(obj)) return [{ type: 'error', message: `Unexpected chunk: ${raw.slice(0, 120)}`, errorType: 'bad-chunk', status: null }];
  const err = errorFromPayload(obj, ev.event === 'error');
  if (err) return [{ type: 'error', ...err }];
  const items: ChatStreamItem[] = [];
  const choice = Array.isArray(obj.choices) ? obj.choices.find((c) => isRecord(c) && (c.index === undefined || c.index === 0)) : undefined;
  if (isRecord(choice)) {
    const delta = isRecord(choice.delta) ? choice.delta : null;
    const reasoning = delta ? (str(delta.reasoning_content) ?? str(delta.reasoning)) : null;
    if (reasoning) items.push({ type: 'reasoning', text: reasoning });
    const content = delta ? str(delta.content) : null;
    if (content) items.push({ type: 'delta', text: content });
    // Old Ollama builds sent `"finish_reason": ""` on every chunk: only a non-empty string finishes.
    const finish = str(choice.finish_reason);
    if (finish) items.push({ type: 'finish', reason: finish });
  }
  if (isRecord(obj.usage)) {
    const promptTokens = count(obj.usage.prompt_tokens);
    const completionTokens = count(obj.usage.completion_tokens);
    if (promptTokens !== null || completionTokens !== null) items.push({ type: 'usage', promptTokens, completionTokens });
  }
  return items;
}

/** Bytes of a chat-completion stream in, items out; `end()` says whether the stream stopped mid-event. */
export class ChatStreamParser {
  private readonly sse = new SseDecoder();

  push(chunk: Uint8Array | string): ChatStreamItem[] {
    return this.sse.push(chunk).flatMap(chatItemsFromEvent);
  }

  end(): { items: ChatStreamItem[]; truncated: boolean } {
    const { events, truncated } = this.sse.end();
    return { items: events.flatMap(chatItemsFromEvent), truncated };
  }
}
