import { describe, expect, it } from 'vitest';
import { parseCitations, stripCitations } from '../../../src/strategies/citations';

const ids = ['c1', 'c2', 'c3'];
const brief = (answer: string) => parseCitations(answer, ids).map((c) => [c.marker, c.n, c.chunkId, c.start, c.end]);

describe('parseCitations', () => {
  it('single markers with offsets', () => {
    expect(brief('Paris [1] is big [2].')).toEqual([
      ['[1]', 1, 'c1', 6, 9],
      ['[2]', 2, 'c2', 17, 20],
    ]);
  });
  it('lists share the marker span', () => {
    expect(brief('Yes [1, 3].')).toEqual([
      ['[1, 3]', 1, 'c1', 4, 10],
      ['[1, 3]', 3, 'c3', 4, 10],
    ]);
    expect(brief('是的[1、2]')).toEqual([
      ['[1、2]', 1, 'c1', 2, 7],
      ['[1、2]', 2, 'c2', 2, 7],
    ]);
  });
  it('adjacent markers', () => {
    expect(brief('x[1][2]')).toEqual([
      ['[1]', 1, 'c1', 1, 4],
      ['[2]', 2, 'c2', 4, 7],
    ]);
  });
  it('full-width brackets and digits', () => {
    expect(brief('年假二十五天【1】。')).toEqual([['【1】', 1, 'c1', 6, 9]]);
    expect(brief('见［2］')).toEqual([['［2］', 2, 'c2', 1, 4]]);
    expect(brief('见［３］')).toEqual([['［３］', 3, 'c3', 1, 4]]);
  });
  it('ranges expand', () => {
    expect(brief('[1-3]').map((c) => c[1])).toEqual([1, 2, 3]);
  });
  it('out-of-range numbers map to null', () => {
    expect(brief('[4] and [0]')).toEqual([
      ['[4]', 4, null, 0, 3],
      ['[0]', 0, null, 8, 11],
    ]);
  });
  it('ignores non-numeric brackets', () => {
    expect(brief('see [a] and [1a] and []')).toEqual([]);
  });
});

describe('stripCitations', () => {
  it('replaces markers with a space', () => {
    expect(stripCitations('Paris[1] is big [2, 3].')).toBe('Paris  is big  .');
  });
});
