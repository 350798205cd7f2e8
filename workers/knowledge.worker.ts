import './runtime';
import { createKnowledgeHandler } from './knowledge-handler';
const handle = createKnowledgeHandler((msg, transfer) => self.postMessage(msg, { transfer: transfer ?? [] }));
self.onmessage = (e) => handle(e.data);
