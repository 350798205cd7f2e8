import './runtime';
import { createLlmHandler } from './llm-handler';
const handle = createLlmHandler((msg, transfer) => self.postMessage(msg, { transfer: transfer ?? [] }));
self.onmessage = (e) => handle(e.data);
