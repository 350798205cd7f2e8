import { timeoutFetch } from './runtime';
import { createLlmHandler } from './llm-handler';
const handle = createLlmHandler((msg, transfer) => self.postMessage(msg, { transfer: transfer ?? [] }), { fetch: timeoutFetch });
self.onmessage = (e) => handle(e.data);
