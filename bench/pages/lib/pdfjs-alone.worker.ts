// The pdf.js-alone baseline inside a dedicated worker, where the app runs pdf.js (the knowledge
// worker). pdf.js 5.6 cannot start its own worker from inside a worker (it reads window.location)
// and parses in this thread instead, exactly as in the app; its in-thread "worker" also announces
// itself on `self`, so the page must ignore messages that are not AloneReply.
import { pdfjsText } from './pdfjs-alone';

export interface AloneRequest {
  bytes: ArrayBuffer;
  expectPages: number;
  /** Pages asked for ahead (0: one at a time). */
  ahead?: number;
}
export type AloneReply = { bench: 'pdfjs-alone'; ok: true; chars: number } | { bench: 'pdfjs-alone'; ok: false; error: string };

self.onmessage = async (e: MessageEvent<AloneRequest>) => {
  if (!e.data || !(e.data.bytes instanceof ArrayBuffer)) return; // pdf.js's own traffic on self
  try {
    const chars = await pdfjsText(new Uint8Array(e.data.bytes), e.data.expectPages, e.data.ahead ?? 0);
    self.postMessage({ bench: 'pdfjs-alone', ok: true, chars } satisfies AloneReply);
  } catch (err) {
    self.postMessage({ bench: 'pdfjs-alone', ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } satisfies AloneReply);
  }
};
