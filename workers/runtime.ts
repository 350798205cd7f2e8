// Browser-only setup shared by both worker entries: ONNX Runtime's WASM from our own origin and a
// fetch that times out instead of hanging.

import { env } from '@huggingface/transformers';
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import mjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { AppConfig } from '../src/config';
import { makeTimeoutFetch } from '../src/models/fetch-timeout';
import { installBrowserRuntime } from './tjs-env';

export const timeoutFetch = makeTimeoutFetch(fetch.bind(globalThis), { connectMs: AppConfig.fetchConnectTimeoutMs, stallMs: AppConfig.fetchStallTimeoutMs });

installBrowserRuntime(env as never, { wasmUrl, mjsUrl, fetch: timeoutFetch });
