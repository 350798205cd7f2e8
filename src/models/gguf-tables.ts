// Lookup tables for GGUF files as the llama.cpp inside @wllama/wllama 3.13.0 (libllama b12211-7d7f028)
// reads them. GGML_TYPES and ARCH_KIND were read out of that package's esm/wasm/wllama.wasm (the
// `type_traits` array and the LLM_ARCH_NAMES table in its data segments), so they match the runtime
// that loads the file, not some other llama.cpp version; LLAMA_FTYPE_NAMES follows llama.h's llama_ftype.

export interface GgmlType {
  /** The name llama.cpp prints (Q8_0, Q4_K, F16…). */
  name: string;
  /** Values per block. */
  block: number;
  /** Bytes per block. */
  size: number;
}

/** ggml_type id → name, values per block, bytes per block (type_traits in ggml.c). Gaps are removed types. */
export const GGML_TYPES: Readonly<Record<number, GgmlType>> = Object.freeze({
  0: { name: 'F32', block: 1, size: 4 },
  1: { name: 'F16', block: 1, size: 2 },
  2: { name: 'Q4_0', block: 32, size: 18 },
  3: { name: 'Q4_1', block: 32, size: 20 },
  6: { name: 'Q5_0', block: 32, size: 22 },
  7: { name: 'Q5_1', block: 32, size: 24 },
  8: { name: 'Q8_0', block: 32, size: 34 },
  9: { name: 'Q8_1', block: 32, size: 36 },
  10: { name: 'Q2_K', block: 256, size: 84 },
  11: { name: 'Q3_K', block: 256, size: 110 },
  12: { name: 'Q4_K', block: 256, size: 144 },
  13: { name: 'Q5_K', block: 256, size: 176 },
  14: { name: 'Q6_K', block: 256, size: 210 },
  15: { name: 'Q8_K', block: 256, size: 292 },
  16: { name: 'IQ2_XXS', block: 256, size: 66 },
  17: { name: 'IQ2_XS', block: 256, size: 74 },
  18: { name: 'IQ3_XXS', block: 256, size: 98 },
  19: { name: 'IQ1_S', block: 256, size: 50 },
  20: { name: 'IQ4_NL', block: 32, size: 18 },
  21: { name: 'IQ3_S', block: 256, size: 110 },
  22: { name: 'IQ2_S', block: 256, size: 82 },
  23: { name: 'IQ4_XS', block: 256, size: 136 },
  24: { name: 'I8', block: 1, size: 1 },
  25: { name: 'I16', block: 1, size: 2 },
  26: { name: 'I32', block: 1, size: 4 },
  27: { name: 'I64', block: 1, size: 8 },
  28: { name: 'F64', block: 1, size: 8 },
  29: { name: 'IQ1_M', block: 256, size: 56 },
  30: { name: 'BF16', block: 1, size: 2 },
  // 31–33 (Q4_0_4_4, Q4_0_4_8, Q4_0_8_8) and 36–38 (IQ4_NL_4_4…) were removed from GGUF files.
  34: { name: 'TQ1_0', block: 256, size: 54 },
  35: { name: 'TQ2_0', block: 256, size: 66 },
  39: { name: 'MXFP4', block: 32, size: 17 },
  40: { name: 'NVFP4', block: 64, size: 36 },
  41: { name: 'Q1_0', block: 128, size: 18 },
  42: { name: 'Q2_0', block: 64, size: 18 },
  43: { name: 'F8_E4M3', block: 1, size: 1 },
});

/** llama_ftype (general.file_type) → the label llama.cpp uses for it (llama.h; bit 1024 means "guessed"). */
export const LLAMA_FTYPE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
  36: 'TQ1_0',
  37: 'TQ2_0',
  38: 'MXFP4_MOE',
  39: 'NVFP4',
  40: 'Q1_0',
  41: 'Q2_0',
});

/**
 * What a model of each architecture is (general.architecture → kind): 'text' generates text;
 * 'encoder' makes embeddings only; 'projector' is a multimodal projector (mmproj); 'auxiliary' is a
 * draft, speech or decision model that cannot answer a chat. Every llama.cpp architecture in the wasm.
 */
export type ArchKind = 'text' | 'encoder' | 'projector' | 'auxiliary';
export const ARCH_KIND: Readonly<Record<string, ArchKind>> = Object.freeze({
  'clip': 'projector', 'llama': 'text', 'llama4': 'text', 'deci': 'text', 'falcon': 'text', 'grok': 'text',
  'gpt2': 'text', 'gptj': 'text', 'gptneox': 'text', 'mpt': 'text', 'baichuan': 'text', 'starcoder': 'text',
  'refact': 'text', 'bert': 'encoder', 'modern-bert': 'encoder', 'nomic-bert': 'encoder',
  'nomic-bert-moe': 'encoder', 'neo-bert': 'encoder', 'jina-bert-v2': 'encoder', 'jina-bert-v3': 'encoder',
  'eurobert': 'encoder', 'bloom': 'text', 'stablelm': 'text', 'qwen': 'text', 'qwen2': 'text',
  'qwen2moe': 'text', 'qwen2vl': 'text', 'sensenova_u1': 'text', 'qwen3': 'text', 'flint': 'text',
  'qwen3moe': 'text', 'clover_moe': 'text', 'qwen3next': 'text', 'qwen3vl': 'text', 'qwen3vlmoe': 'text',
  'qwen35': 'text', 'qwen35moe': 'text', 'clef': 'text', 'vllm-decision2': 'auxiliary', 'qwen4exp': 'text',
  'phi2': 'text', 'phi3': 'text', 'phimoe': 'text', 'plamo': 'text', 'plamo2': 'text', 'plamo3': 'text',
  'codeshell': 'text', 'orion': 'text', 'internlm2': 'text', 'minicpm': 'text', 'minicpm3': 'text',
  'gemma': 'text', 'gemma2': 'text', 'gemma3': 'text', 'gemma3n': 'text', 'gemma4': 'text',
  'gemma4-assistant': 'text', 'gemma-embedding': 'encoder', 'gemma-embedding2': 'encoder',
  'starcoder2': 'text', 'mamba': 'text', 'mamba2': 'text', 'maple': 'text', 'jamba': 'text',
  'falcon-h1': 'text', 'xverse': 'text', 'command-r': 'text', 'cohere2': 'text', 'cohere2moe': 'text',
  'dbrx': 'text', 'olmo': 'text', 'olmo2': 'text', 'olmoe': 'text', 'muse-glimmer': 'text',
  'muse-spark': 'text', 'openelm': 'text', 'arctic': 'text', 'deepseek': 'text', 'deepseek2': 'text',
  'deepseek2-ocr': 'text', 'deepseek32': 'text', 'deepseek4': 'text', 'deepseek41': 'text', 'xing4_0': 'text',
  'chatglm': 'text', 'glm4': 'text', 'glm4moe': 'text', 'glm-dsa': 'text', 'bitnet': 'text', 't5': 'text',
  't5encoder': 'encoder', 'jais': 'text', 'jais2': 'text', 'nemotron': 'text', 'nemotron_h': 'text',
  'nemotron_h_moe': 'text', 'metis16': 'text', 'exaone': 'text', 'exaone4': 'text', 'exaone-moe': 'text',
  'rwkv6': 'text', 'rwkv6qwen2': 'text', 'rwkv7': 'text', 'arwkv7': 'text', 'granite': 'text',
  'granitemoe': 'text', 'granitehybrid': 'text', 'graniteswitch': 'text', 'granite_swa': 'text',
  'chameleon': 'text', 'wavtokenizer-dec': 'auxiliary', 'plm': 'text', 'bailingmoe': 'text',
  'bailingmoe2': 'text', 'bailingmoe3': 'text', 'dots1': 'text', 'dots3note': 'text', 'arcee': 'text',
  'afmoe': 'text', 'laguna': 'text', 'ernie4_5': 'text', 'ernie4_5-moe': 'text', 'hunyuan-moe': 'text',
  'hunyuan-dense': 'text', 'hunyuan_vl': 'text', 'hy_v3': 'text', 'hy_v4': 'text', 'smollm3': 'text',
  'gpt-oss': 'text', 'lfm2': 'text', 'lfm2moe': 'text', 'lfm3': 'text', 'dream': 'text',
  'smallthinker': 'text', 'llada': 'text', 'llada-moe': 'text', 'seed_oss': 'text', 'grovemoe': 'text',
  'apertus': 'text', 'minimax-01': 'text', 'hrm_text': 'text', 'limite': 'text', 'minimax-m2': 'text',
  'minimax-m3': 'text', 'cogvlm': 'text', 'rnd1': 'text', 'pangu-embedded': 'text', 'mistral3': 'text',
  'eagle3': 'auxiliary', 'dflash': 'auxiliary', 'mistral4': 'text', 'mistral-large4': 'text',
  'paddleocr': 'text', 'mimo2': 'text', 'step35': 'text', 'spark2_5': 'text', 'llama-embed': 'encoder',
  'maincoder': 'text', 'maion-coder': 'text', 'kimi-linear': 'text', 'kimi-k3': 'text', 'kimi-k31': 'text',
  'glm5-next': 'text', 'talkie': 'text', 'mellum': 'text', 'nanbeige': 'text', 'qwen3tts': 'auxiliary',
  'pockettts': 'auxiliary', 'k2-horizon': 'text', 'beam': 'text', 'kolibri1': 'text', 'ricursive': 'text',
});
