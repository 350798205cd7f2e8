// The Chinese tables, in their own chunk: a page in English never downloads them (index.ts loads
// them on demand, before the first paint when Chinese is the language at start-up).
export { zh } from './zh';
export { zhErrors } from './errors';
