import { describe, expect, it } from 'vitest';
import { RRF_K } from '../../../src/retrieval/hybrid';
import { fuseQueryHits, fuseQueryRankings, MULTI_QUERY_INSTRUCTION, multiQueryMessages, multiQueryPlan, parseMultiQuery } from '../../../src/strategies/multi-query';
import type { SearchHit } from '../../../src/protocol/messages';

const Q = 'How do I disable caching in http-server?';

describe('multiQueryMessages', () => {
  it('asks for three queries, in the chosen language', () => {
    expect(multiQueryMessages(Q, 'en')).toEqual([
      { role: 'system', content: MULTI_QUERY_INSTRUCTION.en },
      { role: 'user', content: `Question: ${Q}` },
    ]);
    expect(multiQueryMessages('http-server 怎么关闭缓存？', 'zh')[1].content).toBe('问题：http-server 怎么关闭缓存？');
    expect(MULTI_QUERY_INSTRUCTION.en).toMatch(/3 different search queries/);
  });
});

describe('parseMultiQuery', () => {
  it('reads a numbered list after a preamble, dropping markers and quotes', () => {
    const reply = 'Here are three queries:\n1. http-server -c-1 disable cache\n2) "http-server cache-control max-age option"\n(3) turn off caching http-server';
    expect(parseMultiQuery(reply, Q)).toEqual({
      queries: ['http-server -c-1 disable cache', 'http-server cache-control max-age option', 'turn off caching http-server'],
      problems: [],
    });
  });

  it('reads bullets, Chinese numbering and "Query 1:" labels, and keeps technical terms as written', () => {
    expect(parseMultiQuery('- `--cors` 选项\n• CORS 头\n* Access-Control-Allow-Origin', Q).queries).toEqual(['--cors 选项', 'CORS 头', 'Access-Control-Allow-Origin']);
    expect(parseMultiQuery('一、关闭缓存\n二、-c-1 参数\n三、缓存时间 3600', Q).queries).toEqual(['关闭缓存', '-c-1 参数', '缓存时间 3600']);
    expect(parseMultiQuery('Query 1: a b\nQ2: c d\n查询3：e f', Q).queries).toEqual(['a b', 'c d', 'e f']);
  });

  it('reads a JSON array or {"queries": [...]} in prose or fences', () => {
    expect(parseMultiQuery('```json\n["a", "b", "c"]\n```', Q).queries).toEqual(['a', 'b', 'c']);
    expect(parseMultiQuery("Sure! {'queries': ['x y', 'z']}", Q)).toEqual({ queries: ['x y', 'z'], problems: ['the model gave 2 usable queries of 3'] });
  });

  it('drops copies of the question and repeats, keeps three, and reports what it dropped', () => {
    const reply = `1. ${Q}\n2. cache off\n3. Cache  OFF!\n4. a\n5. b\n6. c`;
    expect(parseMultiQuery(reply, Q)).toEqual({ queries: ['cache off', 'a', 'b'], problems: ['dropped a copy of the question', 'dropped a repeated query'] });
    expect(parseMultiQuery('', Q)).toEqual({ queries: [], problems: ['the model gave 0 usable queries of 3'] });
    expect(parseMultiQuery(`1. ${'x'.repeat(300)}\n2. y`, Q).problems[0]).toMatch(/over-long/);
  });

  it('reads a reply that repeats the prompt\'s "Question:" line as a copy of the question, not a rewrite', () => {
    expect(parseMultiQuery(`Question: ${Q}`, Q)).toEqual({ queries: [], problems: ['dropped a copy of the question', 'the model gave 0 usable queries of 3'] });
    expect(parseMultiQuery('问题：http-server 怎么关闭缓存？', 'http-server 怎么关闭缓存？').queries).toEqual([]);
    expect(parseMultiQuery('Query: cache off\nQuestion: -c-1 flag\n3. no cache header', Q).queries).toEqual(['cache off', '-c-1 flag', 'no cache header']);
  });

  it('plans the original question first', () => {
    expect(multiQueryPlan(` ${Q} `, { queries: ['a', 'b'], problems: [] })).toEqual([Q, 'a', 'b']);
  });
});

describe('fuseQueryRankings', () => {
  it('fuses by reciprocal rank: score = Σ 1 / (60 + rank)', () => {
    const fused = fuseQueryRankings(
      [
        [{ id: 'a' }, { id: 'b' }],
        [{ id: 'b' }, { id: 'c' }],
        [{ id: 'b' }, { id: 'a' }],
      ],
      2,
    );
    expect(RRF_K).toBe(60);
    expect(fused.map((f) => f.id)).toEqual(['b', 'a']);
    expect(fused[0].score).toBeCloseTo(1 / 62 + 1 / 61 + 1 / 61, 15);
    expect(fused[1].score).toBeCloseTo(1 / 61 + 1 / 62, 15);
    expect(fused[0].ranks).toEqual([2, 1, 1]);
  });
});

describe('fuseQueryHits', () => {
  const hit = (chunkId: string, rank: number, more: Partial<SearchHit> = {}): SearchHit => ({
    chunkId, docId: chunkId.split(':')[0], docName: `${chunkId.split(':')[0]}.md`, index: 0, text: chunkId, start: 0, end: 10, rank, fused: 0, ...more,
  });

  it('fuses the searches by reciprocal rank, keeps each hit from the search that ranked it best, ranks 1..k', () => {
    const q0 = [hit('a:0', 1), hit('b:0', 2)];
    const q1 = [hit('b:0', 1, { bm25: { score: 9, rank: 1 } }), hit('c:0', 2)];
    const fused = fuseQueryHits([q0, q1], 2);
    expect(fused.map((h) => [h.chunkId, h.rank])).toEqual([['b:0', 1], ['a:0', 2]]);
    expect(fused[0].fused).toBeCloseTo(1 / 62 + 1 / 61, 15);
    expect(fused[1].fused).toBeCloseTo(1 / 61, 15);
    expect(fused[0].bm25).toEqual({ score: 9, rank: 1 });
    expect(fuseQueryHits([q0, q1], 0)).toEqual([]);
  });

  it('one passage once across searches: a near-duplicate another search kept is dropped either way', () => {
    const copy = { chunkId: 'pdf:3', docId: 'pdf', docName: 'manual.pdf', start: 0, end: 10, similarity: 0.95 };
    const q0 = [hit('md:1', 1, { alsoIn: [copy] }), hit('x:0', 2)];
    const q1 = [hit('pdf:3', 1), hit('y:0', 2)];
    expect(fuseQueryHits([q0, q1], 4).map((h) => h.chunkId)).toEqual(['md:1', 'x:0', 'y:0']);
    // The copy that collapsed a kept hit in its own search is not shown a second time either.
    const q2 = [hit('pdf:3', 1), hit('y:0', 2)];
    const q3 = [hit('x:0', 1), hit('md:1', 2, { alsoIn: [{ ...copy, chunkId: 'pdf:3' }] })];
    expect(fuseQueryHits([q2, q3], 4).map((h) => h.chunkId)).toEqual(['pdf:3', 'x:0', 'y:0']);
  });

  it('small-to-big: a hit inside a better fused hit\'s passage points to it, and each passage holds what it covers', () => {
    const passage = { text: 'section', start: 0, end: 100, tokens: 20, expanded: 'section' as const, holds: ['d:5'] };
    const q0 = [hit('d:0', 1, { start: 0, end: 30, passage }), hit('d:5', 2, { start: 40, end: 50, inPassageOf: 'd:0' })];
    const q1 = [hit('d:2', 1, { start: 60, end: 90, passage: { ...passage, start: 50, end: 100, holds: [] } }), hit('e:0', 2)];
    const fused = fuseQueryHits([q0, q1], 4);
    expect(fused.map((h) => [h.chunkId, h.inPassageOf ?? null, h.passage?.holds ?? null])).toEqual([
      ['d:0', null, ['d:2', 'd:5']],
      ['d:2', 'd:0', null],
      ['d:5', 'd:0', null],
      ['e:0', null, null],
    ]);
    // Held in its own search by a hit the fusion did not keep: it stands on its own.
    expect(fuseQueryHits([[hit('f:1', 1, { inPassageOf: 'f:0' })]], 4)[0].inPassageOf).toBeUndefined();
  });
});
