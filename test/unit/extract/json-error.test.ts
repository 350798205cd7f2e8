import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineColumn, locateJsonError } from '../../../src/extract/json-error';

/** The position V8's JSON.parse names in its message ("… in JSON at position N"), when it names one. */
function v8Position(src: string): number | null | 'valid' {
  try {
    JSON.parse(src);
    return 'valid';
  } catch (e) {
    const m = /at position (\d+)/.exec(e instanceof Error ? e.message : '');
    return m ? Number(m[1]) : null;
  }
}

// Broken inputs covering every branch of the scanner: strings, escapes, numbers, literals, objects, arrays, trailing text.
const BROKEN = [
  '"\\x"', '"\\u12G4"', '"a\tb"', '{"a\nb":1}', '"abc', '-', '-a', '1.', '1e', '1e+', '01', '[01]',
  '{"a" 1}', '{"a":1,}', '{,}', "{'a': 1}", '{"a":1 "b":2}', '[1]]', '[1 2]', '[1,2', '{"a":1', '{"a"', '{',
  '{"a": 1} x', '[1] \u00a0', '{"k": [1, {"x": tru}]}', '["a", nope]',
];

describe('jsonErrorOffset', () => {
  it('names the same character as V8 wherever V8 gives a position', () => {
    let compared = 0;
    for (const src of BROKEN) {
      const v8 = v8Position(src);
      expect(v8, src).not.toBe('valid');
      if (typeof v8 === 'number') {
        expect(jsonErrorOffset(src), src).toBe(v8);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(20);
  });

  it('where V8 gives no position: the unexpected character, or the end when the text stops early', () => {
    expect(jsonErrorOffset('')).toBe(0);
    expect(jsonErrorOffset('  ')).toBe(2);
    expect(jsonErrorOffset('[,1]')).toBe(1);
    expect(jsonErrorOffset('True')).toBe(0);
    expect(jsonErrorOffset('["a", nope]')).toBe(7); // "n" matches null, "o" does not
    expect(jsonErrorOffset('[1,')).toBe(3);
    expect(jsonErrorOffset('{"a":')).toBe(5);
    expect(jsonErrorOffset('"\\')).toBe(2);
    expect(jsonErrorOffset('\u00a0[]')).toBe(0); // no-break space is not JSON whitespace
  });

  it('accepts exactly what JSON.parse accepts on valid input, at any depth', () => {
    const valid = ['0', '-0.5e-3', '"\\ud83d\\ude00 \\/ \\b"', ' {"a": [true, false, null, {}], "b": ""} ', '[[],[[]]]'];
    for (const src of valid) expect(jsonErrorOffset(src), src).toBe(-1);
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(jsonErrorOffset(deep)).toBe(-1);
    expect(jsonErrorOffset('['.repeat(100_000) + 'x')).toBe(100_000);
  });
});

describe('locateJsonError', () => {
  it('gives 1-based line and column, counting \\r\\n as one line end', () => {
    expect(locateJsonError('{\n  "a": 1,\n  "b": }\n')).toEqual({ offset: 19, line: 3, column: 8 });
    expect(locateJsonError('[1,\r\n 2,\r\n x]')).toEqual({ offset: 11, line: 3, column: 2 });
    expect(locateJsonError('{"ok": true}')).toBeNull();
    expect(lineColumn('ab', 0)).toEqual({ line: 1, column: 1 });
  });
});
