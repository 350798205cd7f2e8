// The one JSON error locator, shared by document extraction and test-set import. JSON.parse says
// *that* a file is broken but its message is engine-specific and V8's often has no position, so a
// small validating scanner finds the first offending character the way V8 reports it.

/** Where a JSON text first breaks the grammar: UTF-16 offset and the 1-based line and column an editor shows. */
export interface JsonErrorLocation {
  offset: number;
  line: number;
  column: number;
}

const WS = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const DIGIT = (c: number) => c >= 0x30 && c <= 0x39;
const HEX = /^[0-9a-fA-F]$/;

/**
 * Offset (UTF-16 code units) of the first JSON syntax error in `src`, or -1 when it is valid JSON
 * (RFC 8259). The offset is the character V8 names in its "at position N" messages: the unexpected
 * character, the character after a bad backslash, the first missing digit of a number, or the end
 * of the text when it stops early. Iterative, so any nesting depth is fine.
 */
export function jsonErrorOffset(src: string): number {
  const n = src.length;
  let i = 0;
  /** Open containers, innermost last: true = object, false = array. */
  const stack: boolean[] = [];

  const skipWs = () => {
    while (i < n && WS(src.charCodeAt(i))) i++;
  };
  /** Reads a string starting at its opening quote; false leaves `i` on the error. */
  const string = (): boolean => {
    i++;
    while (i < n) {
      const c = src.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = src[i + 1];
        if (e === undefined) {
          i++;
          return false;
        }
        if (e === 'u') {
          for (let k = 2; k < 6; k++) {
            if (!HEX.test(src[i + k] ?? '')) {
              i += Math.min(k, n - i);
              return false;
            }
          }
          i += 6;
        } else if ('"\\/bfnrt'.includes(e)) i += 2;
        else {
          i++;
          return false;
        }
      } else i++;
    }
    return false;
  };
  const digits = (): boolean => {
    if (!DIGIT(src.charCodeAt(i))) return false;
    while (DIGIT(src.charCodeAt(i))) i++;
    return true;
  };
  const number = (): boolean => {
    if (src[i] === '-') i++;
    if (src[i] === '0') i++;
    else if (!digits()) return false;
    if (src[i] === '.') {
      i++;
      if (!digits()) return false;
    }
    if (src[i] === 'e' || src[i] === 'E') {
      i++;
      if (src[i] === '+' || src[i] === '-') i++;
      if (!digits()) return false;
    }
    return true;
  };
  const literal = (word: string): boolean => {
    for (let k = 0; k < word.length; k++, i++) if (src[i] !== word[k]) return false;
    return true;
  };
  /** After '{' or ',' in an object: a key and its colon. */
  const key = (): boolean => {
    skipWs();
    if (src[i] !== '"' || !string()) return false;
    skipWs();
    if (src[i] !== ':') return false;
    i++;
    return true;
  };

  for (;;) {
    // A value is expected at i.
    skipWs();
    const c = src[i];
    if (c === '{' || c === '[') {
      i++;
      skipWs();
      if (src[i] !== (c === '{' ? '}' : ']')) {
        stack.push(c === '{');
        if (c === '{' && !key()) return i;
        continue;
      }
      i++;
    } else if (c === '"') {
      if (!string()) return i;
    } else if (c === '-' || (c !== undefined && DIGIT(c.charCodeAt(0)))) {
      if (!number()) return i;
    } else if (c === 't' || c === 'f' || c === 'n') {
      if (!literal(c === 't' ? 'true' : c === 'f' ? 'false' : 'null')) return i;
    } else return i;
    // A value ended: close containers until a ',' asks for the next value.
    for (;;) {
      skipWs();
      if (stack.length === 0) return i < n ? i : -1;
      const inObject = stack[stack.length - 1];
      if (src[i] === ',') {
        i++;
        if (inObject && !key()) return i;
        break;
      }
      if (src[i] !== (inObject ? '}' : ']')) return i;
      i++;
      stack.pop();
    }
  }
}

/** 1-based line and column of a UTF-16 offset; lines end at \n (a \r before it is part of the line). */
export function lineColumn(src: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = src.indexOf('\n'); k >= 0 && k < offset; k = src.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Location of the first JSON syntax error, or null when `src` is valid JSON. */
export function locateJsonError(src: string): JsonErrorLocation | null {
  const offset = jsonErrorOffset(src);
  return offset < 0 ? null : { offset, ...lineColumn(src, offset) };
}
