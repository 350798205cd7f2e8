import { describe, expect, it } from 'vitest';
import { RRF_K } from '../../../src/retrieval/hybrid';
import { fuseQueryRankings, MULTI_QUERY_INSTRUCTION, multiQueryMessages, multiQueryPlan, parseMultiQuery } from '../../../src/strategies/multi-query';

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
