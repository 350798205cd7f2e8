import './runtime';
import { createKnowledgeHandler } from './knowledge-handler';
import { loadPdfJs } from '../src/extract/pdfjs-browser';
const handle = createKnowledgeHandler((msg, transfer) => self.postMessage(msg, { transfer: transfer ?? [] }), { pdfjs: loadPdfJs });
self.onmessage = (e) => handle(e.data);
