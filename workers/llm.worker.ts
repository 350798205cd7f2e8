import { timeoutFetch } from './runtime';
import { createLlmHandler } from './llm-handler';
import wllamaWasm from '@wllama/wllama/esm/wasm/wllama.wasm?url';
const handle = createLlmHandler((msg, transfer) => self.postMessage(msg, { transfer: transfer ?? [] }), {
  fetch: timeoutFetch,
  wllamaWasmUrl: new URL(wllamaWasm, self.location.href).href,
});
self.onmessage = (e) => handle(e.data);
