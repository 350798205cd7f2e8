// The retrieval line under each lane, evaluation item and inspector result: parts that ran, small-to-big
// and merged near-duplicates when they happened (older records without those fields read as before),
// the HyDE passage and the steps that did not run as set, the "also in" line for a hit, and the extra
// steps' parser problems, in both languages.
import { describe, expect, it } from 'vitest';
import { format } from '../../../src/i18n';
import type { MessageKey } from '../../../src/i18n/en';
import type { RetrievalRan } from '../../../src/protocol/messages';
import { alsoInText, fallbackText, problemText, retrievalDegraded, retrievalLine } from '../../../src/ui/common/ran-text';
import { parseMultiQuery } from '../../../src/strategies/multi-query';
import { parseVerification } from '../../../src/strategies/verify';
import { hitPlaces } from '../../../src/retrieval/search-hits';

const en = (key: MessageKey, p?: Record<string, string | number>) => format('en', key, p);
const zh = (key: MessageKey, p?: Record<string, string | number>) => format('zh', key, p);
const ran: RetrievalRan = { bm25: true, dense: true, rerank: false, embedder: 'e', reranker: null, vectors: 3, chunks: 3 };

describe('retrievalLine', () => {
  it('reads older records exactly as before', () => {
    expect(retrievalLine(ran, [], en)).toBe('Retrieval: BM25 + dense');
    expect(retrievalLine({ ...ran, collapsed: 0 }, [], en)).toBe('Retrieval: BM25 + dense');
  });

  it('names small-to-big as a part and counts merged near-duplicates', () => {
    expect(retrievalLine({ ...ran, smallToBig: true, collapsed: 2 }, [], en)).toBe('Retrieval: BM25 + dense + small-to-big · near-duplicates merged: 2');
    expect(retrievalLine({ ...ran, smallToBig: true, collapsed: 2 }, [], zh)).toBe('检索：BM25 + 向量 + 小块检索、大块入提示 · 合并的近似重复：2');
    expect(retrievalLine({ ...ran, dense: false, collapsed: 1 }, [{ part: 'dense', code: 'no-embedder', reason: 'x' }], en)).toBe('Retrieval: BM25 only — no embedding model is loaded · near-duplicates merged: 1');
  });
});

describe('an embedder on a server', () => {
  const key = 'server:3f1c|bge-m3';
  it('says the embeddings came from a server, by the model it lists', () => {
    expect(retrievalLine({ ...ran, embedder: key }, [], en)).toBe('Retrieval: BM25 + dense · embeddings from bge-m3 on a server');
    expect(retrievalLine({ ...ran, embedder: key }, [], zh)).toBe('检索：BM25 + 向量 · 向量由服务器上的 bge-m3 生成');
  });
  it('names it so in a fallback, and not at all when dense did not run', () => {
    const failed = { part: 'dense' as const, code: 'embedder-failed' as const, reason: 'x', detail: { model: key } };
    expect(retrievalLine({ ...ran, dense: false, embedder: null }, [failed], en)).toBe('Retrieval: BM25 only — the embedding model bge-m3 on a server could not be loaded');
    expect(retrievalLine({ ...ran, dense: false, embedder: key }, [], en)).toBe('Retrieval: BM25');
  });
});

describe('the extra steps in the retrieval line', () => {
  it('says when dense search embedded the hypothetical passage', () => {
    expect(retrievalLine({ ...ran, denseText: { kind: 'passage', chars: 120 } }, [], en)).toBe('Retrieval: BM25 + dense · dense searched the hypothetical passage');
    expect(retrievalLine({ ...ran, denseText: { kind: 'passage', chars: 120 } }, [], zh)).toBe('检索：BM25 + 向量 · 向量检索使用了假设段落');
  });

  it('appends why a query step did not run as set, without calling the search "only"', () => {
    const unread = { part: 'rewrite' as const, code: 'rewrite-unread' as const, reason: 'x' };
    expect(retrievalLine(ran, [unread], en)).toBe('Retrieval: BM25 + dense — no rewrite could be read: searched with the question alone');
    expect(retrievalLine(ran, [unread], zh)).toBe('检索：BM25 + 向量 — 无法读出任何改写：只用问题本身检索');
    const partial = { part: 'rewrite' as const, code: 'rewrite-partial' as const, reason: 'x', detail: { n: '2', of: '3' } };
    expect(retrievalLine(ran, [partial], en)).toBe('Retrieval: BM25 + dense — only 2 of 3 rewrites could be read');
    const noDense = [{ part: 'dense' as const, code: 'no-embedder' as const, reason: 'x' }, { part: 'hyde' as const, code: 'hyde-no-dense' as const, reason: 'y' }];
    expect(retrievalLine({ ...ran, dense: false }, noDense, en)).toBe('Retrieval: BM25 only — no embedding model is loaded — dense search did not run, so no hypothetical passage was used');
  });

  it('words the HyDE problem per language, and keeps the check out of the retrieval line', () => {
    const f = { part: 'hyde' as const, code: 'hyde-unusable' as const, reason: 'x', detail: { problem: 'refusal' } };
    expect(fallbackText(f, en)).toBe('the hypothetical passage was a refusal: dense search used the question');
    expect(fallbackText(f, zh)).toBe('假设段落是拒绝回答：向量检索使用了问题本身');
    const unchecked = { part: 'verify' as const, code: 'verify-unread' as const, reason: 'x' };
    expect(fallbackText(unchecked, en)).toBe("the check's reply could not be read: the answer was not checked");
    const cut = { part: 'verify' as const, code: 'verify-truncated' as const, reason: 'x', detail: { limit: '512' } };
    expect(fallbackText(cut, en)).toBe("the check's reply reached its limit of 512 tokens: its revision was not used");
    expect(fallbackText(cut, zh)).toBe('核查的回复达到 512 个 token 的上限：未采用其修改');
    expect(retrievalLine(ran, [unchecked], en)).toBe('Retrieval: BM25 + dense');
    expect(retrievalDegraded([unchecked, { part: 'llm', code: 'llm-engine', reason: 'r' }])).toBe(false);
    expect(retrievalDegraded([f])).toBe(true);
  });
});

describe('problemText', () => {
  it('words every problem the parsers write, in both languages', () => {
    const q = 'How do I disable caching?';
    const mq = parseMultiQuery(`Question: ${q}\n1. ${'x'.repeat(201)}\n2. cache off\n3. Cache off!`, q).problems;
    const v1 = parseVerification('{"claims": [{"claim": "A", "verdict": "maybe", "sources": [1]}, {"claim": "B", "verdict": "supported", "sources": [7]}]}', 2).problems;
    const v2 = parseVerification('Claim: A\nSources: [1]\nClaim: B\nVerdict: perhaps\nClaim: C\nVerdict: supported', 2).problems;
    const v3 = parseVerification('no idea', 2).problems;
    const all = [...mq, ...v1, ...v2, ...v3];
    expect(all).toEqual([
      'dropped a copy of the question',
      'dropped an over-long line (201 characters)',
      'dropped a repeated query',
      'the model gave 1 usable query of 3',
      'unreadable verdict for "A"',
      'passage number 7 does not exist (there are 2)',
      'no verdict for "A"',
      'unreadable verdict "perhaps"',
      'no verdict for "B"',
      'the reply has no claims in a readable form',
    ]);
    // Each one has its own words: none is shown as the parser wrote it.
    for (const p of all) {
      expect(problemText(p, zh)).not.toBe(p);
      expect(problemText(p, en)).not.toBe('');
    }
    expect(all.map((p) => problemText(p, zh))).toEqual([
      '删去了与问题相同的一行',
      '删去了一行过长的内容（201 个字符）',
      '删去了重复的查询',
      '模型给出了 3 个查询中可用的 1 个',
      '无法读出“A”的判断',
      '资料编号 7 不存在（共 2 段）',
      '“A”没有判断',
      '无法读出“perhaps”的判断',
      '“B”没有判断',
      '回复中没有可读的说法',
    ]);
    expect(problemText('something new', zh)).toBe('something new');
  });
});

describe('alsoInText and hitPlaces', () => {
  const hit = {
    chunkId: 'md:1', docId: 'md', start: 10, end: 90,
    alsoIn: [
      { chunkId: 'pdf:0', docId: 'pdf', docName: 'manual.pdf', start: 0, end: 85, page: 2, similarity: 0.9 },
      { chunkId: 'pdf:1', docId: 'pdf', docName: 'manual.pdf', start: 80, end: 160, page: 2, similarity: 0.6 },
    ],
  };
  it('lists each other document once', () => {
    expect(alsoInText(hit, en)).toBe('also in: manual.pdf');
    expect(alsoInText(hit, zh)).toBe('也见于：manual.pdf');
    expect(alsoInText({}, en)).toBe('');
  });
  it('gives every place of the passage, the kept chunk first', () => {
    expect(hitPlaces(hit)).toEqual([
      { chunkId: 'md:1', docId: 'md', start: 10, end: 90 },
      { chunkId: 'pdf:0', docId: 'pdf', start: 0, end: 85 },
      { chunkId: 'pdf:1', docId: 'pdf', start: 80, end: 160 },
    ]);
  });
});
