// transformers.js called directly, the way its documentation shows it: the baselines for the app path.
// One copy of this code runs both in a bench page (onnxruntime-web, WASM) and in Node
// (onnxruntime-node, native), so the two baselines differ only in the runtime underneath. The
// transformers.js module is passed in, because the page and Node import different builds of it.

/** Loads a causal LM and its tokenizer. `device` undefined lets transformers.js pick (Node: CPU). */
export async function loadGenerator(tjs, id, dtype, device) {
  const started = performance.now();
  const tokenizer = await tjs.AutoTokenizer.from_pretrained(id);
  const model = await tjs.AutoModelForCausalLM.from_pretrained(id, { dtype, ...(device ? { device } : {}) });
  return { tokenizer, model, loadMs: performance.now() - started };
}

/** Prompt tokens of a chat with the generation header, by the model's own chat template. */
export function countPromptTokens({ tokenizer }, messages) {
  return tokenizer.apply_chat_template(messages, { add_generation_prompt: true, return_dict: true }).input_ids.dims.at(-1) ?? 0;
}

/**
 * Greedy generation of at most `maxNewTokens` tokens for a chat, streamed with TextStreamer.
 * Timed like the app's engine (workers/engines/transformers-engine.ts, makeUsage): ttftMs from the
 * call to the first generated token, decodeTps = tokens after the first ÷ the time after it.
 * firstTextMs is when the first printable piece arrived (what a reader would see first).
 */
export async function generateTimed(tjs, { tokenizer, model }, messages, maxNewTokens) {
  const startAt = performance.now();
  const inputs = tokenizer.apply_chat_template(messages, { add_generation_prompt: true, return_dict: true });
  const promptTokens = inputs.input_ids.dims.at(-1) ?? 0;
  let firstAt = null;
  let firstTextAt = null;
  let outputTokens = 0;
  let text = '';
  const streamer = new tjs.TextStreamer(tokenizer, {
    skip_prompt: true,
    skip_special_tokens: true,
    callback_function: (piece) => {
      if (!piece) return;
      if (firstTextAt === null) firstTextAt = performance.now();
      text += piece;
    },
    token_callback_function: () => {
      outputTokens++;
      if (firstAt === null) firstAt = performance.now();
    },
  });
  await model.generate({ ...inputs, max_new_tokens: maxNewTokens, do_sample: false, streamer });
  const endAt = performance.now();
  const decodeMs = firstAt === null ? 0 : endAt - firstAt;
  return {
    promptTokens,
    outputTokens,
    text,
    ttftMs: (firstAt ?? endAt) - startAt,
    firstTextMs: (firstTextAt ?? endAt) - startAt,
    totalMs: endAt - startAt,
    decodeTps: outputTokens > 1 && decodeMs > 0 ? ((outputTokens - 1) * 1000) / decodeMs : 0,
  };
}

/** A feature-extraction pipeline; `sessionOptions` go to ONNX Runtime (e.g. { intraOpNumThreads }). */
export async function loadExtractor(tjs, id, dtype, device, sessionOptions) {
  const started = performance.now();
  const extractor = await tjs.pipeline('feature-extraction', id, { dtype, ...(device ? { device } : {}), ...(sessionOptions ? { session_options: sessionOptions } : {}) });
  return { extractor, loadMs: performance.now() - started };
}

/**
 * Embeds `texts` in batches of `batch` (prefix + text, as the app's embedTexts does); with
 * `sortByLength`, longest first by character count, so batches pad less. Resolves to { ms, dim }.
 */
export async function embedTimed(extractor, texts, { prefix = '', pooling = 'mean', normalize = true, batch = 16, sortByLength = false } = {}) {
  const inputs = texts.map((t) => prefix + t);
  if (sortByLength) inputs.sort((a, b) => b.length - a.length);
  const started = performance.now();
  let dim = 0;
  for (let i = 0; i < inputs.length; i += batch) {
    const out = await extractor(inputs.slice(i, i + batch), { pooling, normalize });
    dim = out.dims.at(-1);
  }
  return { ms: performance.now() - started, dim };
}
