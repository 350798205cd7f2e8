// Folders the benchmarks share.
import { resolve } from 'node:path';
import { REPO } from './build.mjs';

/** The shared fixture models (lab-fixtures/…), served at /models/; `MODELS_DIR` overrides. */
export const MODELS_DIR = resolve(REPO, process.env.MODELS_DIR ?? '../shared/models');
