import { describe, expect, it } from 'vitest';
import { diffAgainstReference } from '../../../src/ui/eval/diff';

const show = (a: string, r: string) => diffAgainstReference(a, r).map((p) => (p.kind === 'same' ? `[${p.text}]` : p.kind === 'missing' ? `-{${p.text}}` : p.text)).join('');

describe('diffAgainstReference', () => {
  it('marks shared words, keeps the answer as written, inserts missing reference words in place', () => {
    expect(show('New staff get Fifteen days.', 'fifteen days of leave')).toBe('New staff get [Fifteen] [days]. -{of leave}');
    expect(show('The manager approves it', 'your manager')).toBe('The -{your} [manager] approves it');
  });
  it('Chinese by characters', () => {
    expect(show('新员工有十五天年假。', '十五天')).toBe('新员工有[十][五][天]年假。');
    expect(show('十天', '十五天')).toBe('[十]-{五}[天]');
    expect(show('How often?', 'every ninety days')).toBe('How often? -{every ninety days}');
    expect(show('How many days?', 'fifteen days')).toBe('How many -{fifteen} [days]?');
  });
  it('kinds, and an empty answer shows the whole reference as missing', () => {
    expect(diffAgainstReference('a b', 'b')).toEqual([
      { text: 'a', kind: 'extra' },
      { text: ' ', kind: 'sep' },
      { text: 'b', kind: 'same' },
    ]);
    expect(diffAgainstReference('', 'fifteen days')).toEqual([{ text: 'fifteen days', kind: 'missing' }]);
  });
  it('LCS keeps order: a repeated word matches once', () => {
    expect(show('days fifteen days', 'fifteen days')).toBe('days [fifteen] [days]');
  });
});
