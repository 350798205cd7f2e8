// Shared clean-up of a model's reply before a strict parser reads it: reasoning blocks that some
// models emit (<think>…</think>, Qwen3 / DeepSeek-R1 style), Markdown code fences, and NFKC so
// full-width digits, colons and brackets from a Chinese reply read as their ASCII forms.

/** The reply without reasoning blocks (an unfinished one is dropped whole: it holds no answer) and without ``` fence lines. */
export function cleanReply(reply: string): string {
  return reply
    .normalize('NFKC')
    .replace(/<think>[\s\S]*?<\/think>/giu, '\n')
    .replace(/<think>[\s\S]*$/iu, '\n')
    .replace(/^[ \t]*```[\w-]*[ \t]*$/gmu, '')
    .trim();
}

/**
 * Every balanced {...} or [...] block in `text` that JSON.parse accepts (also with single quotes
 * turned into double quotes), outermost first, in order. Small models wrap JSON in prose.
 */
export function jsonBlocks(text: string): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < text.length; i++) {
    const open = text[i];
    if (open !== '{' && open !== '[') continue;
    const close = open === '{' ? '}' : ']';
    let depth = 0;
    let inString: string | null = null;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === inString) inString = null;
        continue;
      }
      if (c === '"') inString = c;
      else if (c === open) depth++;
      else if (c === close && --depth === 0) {
        const block = text.slice(i, j + 1);
        const parsed = tryJson(block) ?? tryJson(block.replace(/'/g, '"'));
        if (parsed !== undefined) {
          out.push(parsed);
          i = j;
        }
        break;
      }
    }
  }
  return out;
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined; // not JSON: the caller tries the next block or its line format
  }
}
