// Shaping a ranked hit list: near-duplicates collapse into the best-ranked hit (its alsoIn), the cut
// comes after collapsing, and small-to-big passages follow the budget; plus the document-language guess.
import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../../src/protocol/messages';
import { attachPassages, collapseDuplicates, labelOverhead } from '../../../src/retrieval/search-hits';
import { documentLang } from '../../../src/retrieval/contextual';
import { estimateTokens } from '../../../src/strategies/tokens';

const PASSAGE = 'Backups run every night at two o\u2019clock and are kept for thirty days on the storage cluster in the second data centre.';
const OTHER = 'Encryption keys for the backups are rotated every ninety days and stored in the hardware security module, never on disk.';

function hit(chunkId: string, docName: string, text: string, over: Partial<SearchHit> = {}): SearchHit {
  const docId = chunkId.split(':')[0];
  return { chunkId, docId, docName, index: Number(chunkId.split(':')[1]), text, start: 0, end: text.length, rank: 0, fused: 0, ...over };
}

describe('collapseDuplicates', () => {
  it('keeps the best-ranked copy, lists the others, and cuts at k distinct passages', () => {
    const ranked = [
      hit('md:0', 'manual.md', PASSAGE),
      // The PDF copy: wrapped lines, a hyphenated word and a page number.
      hit('pdf:0', 'manual.pdf', 'Backups run every night at two o\u2019clock and are kept for thirty days on the stor-\nage cluster in the second data centre.\n3', { page: 3 }),
      hit('md:1', 'manual.md', OTHER),
      hit('txt:0', 'copy.txt', PASSAGE.toUpperCase()),
      hit('x:0', 'other.md', 'A completely different paragraph about the canteen opening hours on the second floor every weekday.'),
    ];
    const { hits, collapsed } = collapseDuplicates(ranked, 2);
    expect(hits.map((h) => [h.chunkId, h.rank])).toEqual([['md:0', 1], ['md:1', 2]]);
    expect(hits[0].alsoIn?.map((d) => [d.chunkId, d.docName, d.page])).toEqual([['pdf:0', 'manual.pdf', 3], ['txt:0', 'copy.txt', undefined]]);
    expect(hits[0].alsoIn?.every((d) => d.similarity >= 0.5)).toBe(true);
    expect(hits[1].alsoIn).toBeUndefined();
    expect(collapsed).toBe(2);
  });

  it('leaves distinct passages alone', () => {
    const { hits, collapsed } = collapseDuplicates([hit('a:0', 'a', PASSAGE), hit('b:0', 'b', OTHER)], 5);
    expect(hits.map((h) => h.chunkId)).toEqual(['a:0', 'b:0']);
    expect(collapsed).toBe(0);
  });
});

describe('attachPassages', () => {
  const text = '# Travel\n\nFlights: economy under six hours. Business needs a director.\n\n# Hotels\n\nRooms up to 600 yuan per night. Breakfast included.';
  const s1 = { start: 0, end: text.indexOf('# Hotels'), headingPath: ['Travel'] };
  const s2 = { start: text.indexOf('# Hotels'), end: text.length, headingPath: ['Hotels'] };
  const docs = new Map([['d', { text, sections: [s1, s2] }]]);
  const at = (needle: string, len: number) => ({ start: text.indexOf(needle), end: text.indexOf(needle) + len });

  it('gives the best hit its whole section, marks a hit inside it, and stays within the budget', () => {
    const hits = [
      hit('d:1', 'travel.md', 'Flights: economy', at('Flights', 16)),
      hit('d:2', 'travel.md', 'Business needs', at('Business', 14)),
      hit('d:4', 'travel.md', 'Rooms up to 600', at('Rooms', 15)),
    ];
    const budget = 200;
    const out = attachPassages(hits, docs, budget);
    expect(out[0].passage).toMatchObject({ expanded: 'section', headingPath: ['Travel'], holds: ['d:2'] });
    expect(out[0].passage?.text).toBe(text.slice(s1.start, s1.end));
    expect(out[1].inPassageOf).toBe('d:1');
    expect(out[1].passage).toBeUndefined();
    expect(out[2].passage?.text).toBe(text.slice(s2.start, s2.end));
    const used = out.reduce((n, h) => n + (h.passage ? h.passage.tokens + labelOverhead(hits) : 0), 0);
    expect(used).toBeLessThanOrEqual(budget);
  });

  it('with several hits one passage takes at most half the budget; a budget without room for the first chunk gives none', () => {
    const long = '# Travel\n\nFlights: economy under six hours. Business needs a director. Tickets are booked through the travel desk at least two weeks ahead, and changes cost a fee.\n\n# Hotels\n\nRooms up to 600 yuan per night. Breakfast included.';
    const h1 = long.indexOf('# Hotels');
    const longDocs = new Map([['d', { text: long, sections: [{ start: 0, end: h1 }, { start: h1, end: long.length }] }]]);
    const span = (needle: string, len: number) => ({ start: long.indexOf(needle), end: long.indexOf(needle) + len });
    const hits = [hit('d:1', 'travel.md', 'Flights: economy', span('Flights', 16)), hit('d:4', 'travel.md', 'Rooms up to 600', span('Rooms', 15))];
    const section = estimateTokens(long.slice(0, h1));
    const budget = 60;
    expect(section).toBeGreaterThan(budget / 2);
    // Alone, the first hit gets its whole section; next to another hit, at most half the budget.
    expect(attachPassages(hits.slice(0, 1), longDocs, budget)[0].passage?.expanded).toBe('section');
    const both = attachPassages(hits, longDocs, budget);
    expect(both[0].passage?.expanded).toBe('window');
    expect(both[0].passage!.tokens).toBeLessThanOrEqual(budget / 2);
    expect(both[0].passage?.text).toContain('Flights: economy');
    expect(both[1].passage?.text).toContain('Rooms up to 600');
    const none = attachPassages(hits, longDocs, labelOverhead(hits) + 2);
    expect(none.map((h) => [h.passage, h.inPassageOf])).toEqual([[undefined, undefined], [undefined, undefined]]);
  });
});

describe('documentLang', () => {
  it('Chinese text full of English option names is Chinese; English with a Chinese word is English', () => {
    expect(documentLang('在 Redis 的配置文档里，maxmemory-policy 的 allkeys-lru 表示内存满时淘汰最近最少使用的键。')).toBe('zh');
    expect(documentLang('The 年假 policy grants fifteen days of paid leave in the first year to every new employee.')).toBe('en');
    expect(documentLang('')).toBe('en');
  });
});
