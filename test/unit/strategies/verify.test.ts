import { describe, expect, it } from 'vitest';
import { finalAnswer, parseVerification, summarizeVerification, VERIFY_INSTRUCTION, verifyMessages } from '../../../src/strategies/verify';

describe('verifyMessages', () => {
  it('numbers the passages as the answer cited them and puts the answer last', () => {
    const m = verifyMessages({ question: 'Q?', answer: ' A [1]. ', passages: [' one ', 'two'], lang: 'en' });
    expect(m[0]).toEqual({ role: 'system', content: VERIFY_INSTRUCTION.en });
    expect(m[1].content).toBe('Passages:\n[1] one\n\n[2] two\n\nQuestion: Q?\n\nAnswer to check: A [1].');
    expect(verifyMessages({ question: '问？', answer: '答。', passages: [], lang: 'zh' })[1].content).toBe('资料:\n（无）\n\n问题: 问？\n\n待核查的回答: 答。');
  });
});

describe('parseVerification', () => {
  it('reads the JSON the prompt asks for, in prose and fences', () => {
    const reply = 'Here is my check:\n```json\n{"claims": [{"claim": "New staff get 15 days.", "verdict": "supported", "sources": [1]}, {"claim": "Days never expire.", "verdict": "contradicted", "sources": ["[2]"]}], "revised": "New staff get 15 days; unused days expire in March [2]."}\n```';
    expect(parseVerification(reply, 2)).toEqual({
      claims: [
        { claim: 'New staff get 15 days.', verdict: 'supported', sources: [1] },
        { claim: 'Days never expire.', verdict: 'contradicted', sources: [2] },
      ],
      revised: 'New staff get 15 days; unused days expire in March [2].',
      ok: true,
      problems: [],
    });
  });

  it('reads Chinese verdicts and keys, single quotes, and a null revision', () => {
    const reply = "{'claims': [{'说法': '新员工有 15 天年假', '判断': '支持', '依据': [1]}, {'claim': '年假可以折现', 'verdict': '无依据', 'sources': []}], 'revised': null}";
    const v = parseVerification(reply, 1);
    expect(v.claims.map((c) => [c.verdict, c.sources])).toEqual([
      ['supported', [1]],
      ['unsupported', []],
    ]);
    expect(v.revised).toBeNull();
  });

  it('drops passage numbers that do not exist and unreadable verdicts, and says so', () => {
    const v = parseVerification('{"claims": [{"claim": "x", "verdict": "supported", "sources": [1, 7]}, {"claim": "y", "verdict": "maybe"}]}', 2);
    expect(v.claims).toEqual([{ claim: 'x', verdict: 'supported', sources: [1] }]);
    expect(v.problems).toEqual(['passage number 7 does not exist (there are 2)', 'unreadable verdict for "y"']);
  });

  it('falls back to the line format', () => {
    const reply = '1. Claim: New staff get 15 days.\nVerdict: Supported\nSources: [1], [2]\n2. **Claim**: Days never expire.\n**Verdict**: NOT SUPPORTED\nRevised answer: New staff get 15 days [1].\nUnused days expire.';
    expect(parseVerification(reply, 2)).toEqual({
      claims: [
        { claim: 'New staff get 15 days.', verdict: 'supported', sources: [1, 2] },
        { claim: 'Days never expire.', verdict: 'unsupported', sources: [] },
      ],
      revised: 'New staff get 15 days [1].\nUnused days expire.',
      ok: true,
      problems: [],
    });
  });

  it('marks an unreadable reply as not checked', () => {
    expect(parseVerification('<think>let me see', 3)).toEqual({ claims: [], revised: null, ok: false, problems: ['the reply has no claims in a readable form'] });
    expect(summarizeVerification(parseVerification('nonsense', 3)).allSupported).toBe(false);
  });
});

describe('summary and final answer', () => {
  it('counts verdicts and keeps the original answer when every claim is supported', () => {
    const all = parseVerification('{"claims": [{"claim": "a", "verdict": "supported", "sources": [1]}], "revised": "a (reworded)"}', 1);
    expect(summarizeVerification(all)).toEqual({ total: 1, supported: 1, unsupported: 0, contradicted: 0, allSupported: true });
    expect(finalAnswer('a', all)).toBe('a');
    const some = parseVerification('{"claims": [{"claim": "a", "verdict": "supported"}, {"claim": "b", "verdict": "refuted"}], "revised": "a only"}', 1);
    expect(summarizeVerification(some)).toMatchObject({ total: 2, contradicted: 1, allSupported: false });
    expect(finalAnswer('a and b', some)).toBe('a only');
    expect(finalAnswer('a and b', { ...some, revised: null })).toBe('a and b');
  });

  it('keeps the original when the check listed no claims, whatever "revision" it wrote', () => {
    const none = parseVerification('{"claims": [], "revised": "something else entirely"}', 1);
    expect(summarizeVerification(none).allSupported).toBe(false);
    expect(finalAnswer('a', none)).toBe('a');
  });
});
