// Per-claim faithfulness: sentence splitting in English, Chinese and mixed answers (with offsets that
// point back into the answer), the judge prompt, strict reading of verdicts, and the summary.
import { describe, expect, it } from 'vitest';
import {
  CLAIM_RESPONSE_FORMAT, CLAIM_RUBRIC, CLAIM_VERDICT_SCHEMA, claimJudgeMessages, parseClaimVerdict, splitClaims, summarizeClaims,
} from '../../../src/eval/claims';

const texts = (answer: string) => splitClaims(answer).map((c) => c.text);

describe('splitClaims', () => {
  it('English sentences, with citation markers and closing quotes kept on their sentence', () => {
    const a = 'New employees get 15 days [1]. Unused days carry over until March. [2] Is that all? Yes!';
    expect(texts(a)).toEqual(['New employees get 15 days [1].', 'Unused days carry over until March. [2]', 'Is that all?', 'Yes!']);
    for (const c of splitClaims(a)) expect(a.slice(c.start, c.end)).toBe(c.text);
    expect(texts('He said "it is 3.5%." Then he left.')).toEqual(['He said "it is 3.5%."', 'Then he left.']);
  });
  it('does not split decimals, addresses, abbreviations or before a lowercase word', () => {
    expect(texts('It costs 3.5 yuan, see example.com for details.')).toEqual(['It costs 3.5 yuan, see example.com for details.']);
    expect(texts('Bring receipts, e.g. taxi receipts. Dr. Wang approves them.')).toEqual(['Bring receipts, e.g. taxi receipts.', 'Dr. Wang approves them.']);
    expect(texts('It takes approx. ten days.')).toEqual(['It takes approx. ten days.']);
  });
  it('Chinese sentences end at 。！？；, also without spaces and with ASCII marks before Chinese', () => {
    expect(texts('员工每年有十五天年假【1】。未休完的年假可以顺延；最晚到三月底！对吗？')).toEqual(['员工每年有十五天年假【1】。', '未休完的年假可以顺延；', '最晚到三月底！', '对吗？']);
    expect(texts('年假有十五天!另外还有病假.')).toEqual(['年假有十五天!', '另外还有病假.']);
    expect(texts('他说：“年假十五天。”然后走了。')).toEqual(['他说：“年假十五天。”', '然后走了。']);
  });
  it('mixed answers and lists: line breaks end claims, bullets are not part of them, empty pieces are dropped', () => {
    const a = 'Two rules:\n- Taxis above 150 yuan need approval.\n2. 酒店每晚不超过 650 元。\n\n[3]\n';
    const got = splitClaims(a);
    expect(got.map((c) => c.text)).toEqual(['Two rules:', 'Taxis above 150 yuan need approval.', '酒店每晚不超过 650 元。']);
    for (const c of got) expect(a.slice(c.start, c.end)).toBe(c.text);
    expect(splitClaims('')).toEqual([]);
    expect(splitClaims(' … [1] ')).toEqual([]);
  });
});

describe('per-claim judge', () => {
  it('puts the rubric in the system message, and the question, passages and claim without citation markers in the user message', () => {
    const m = claimJudgeMessages({ question: 'How many days?', claim: 'New employees get 15 days [1].', context: ['New employees get 15 days.'], lang: 'en' });
    expect(m[0]).toEqual({ role: 'system', content: CLAIM_RUBRIC.en });
    expect(m[1].content).toBe('Question: How many days?\n\nPassages shown to the answerer:\n[1] New employees get 15 days.\n\nClaim to check: New employees get 15 days .');
    const zh = claimJudgeMessages({ question: '几天？', claim: '十五天。', context: [], lang: 'zh' });
    expect(zh[1].content).toContain('（无）');
    expect(zh[0].content).toContain('contradicted');
  });
  it('reads verdicts strictly', () => {
    expect(parseClaimVerdict('{"verdict": "supported"}')).toBe('supported');
    expect(parseClaimVerdict('```json\n{"verdict": "not supported"}\n```')).toBe('not_supported');
    expect(parseClaimVerdict("{'Verdict': 'CONTRADICTED'}")).toBe('contradicted');
    expect(parseClaimVerdict('not_supported')).toBe('not_supported');
    expect(parseClaimVerdict('"Contradicted."')).toBe('contradicted');
    expect(parseClaimVerdict('矛盾')).toBe('contradicted');
  });
  it('null for anything else: prose, two labels, unknown labels, echoes of the rubric', () => {
    expect(parseClaimVerdict('The claim is supported by passage 1.')).toBeNull();
    expect(parseClaimVerdict('supported or contradicted')).toBeNull();
    expect(parseClaimVerdict('{"verdict": "partially supported"}')).toBeNull();
    expect(parseClaimVerdict('{"verdict": 1}')).toBeNull();
    expect(parseClaimVerdict('{"answer": "supported"}')).toBeNull();
    expect(parseClaimVerdict(CLAIM_RUBRIC.en)).toBeNull();
    expect(parseClaimVerdict('')).toBeNull();
  });
  it('offers a JSON schema that admits exactly the three verdicts the parser reads', () => {
    const schema: unknown = JSON.parse(CLAIM_VERDICT_SCHEMA);
    expect(schema).toEqual({
      type: 'object',
      properties: { verdict: { type: 'string', enum: ['supported', 'not_supported', 'contradicted'] } },
      required: ['verdict'],
      additionalProperties: false,
    });
    expect(CLAIM_RESPONSE_FORMAT).toEqual({ type: 'json_object', schema: CLAIM_VERDICT_SCHEMA });
    for (const v of ['supported', 'not_supported', 'contradicted'] as const) expect(parseClaimVerdict(JSON.stringify({ verdict: v }))).toBe(v);
  });
});

describe('summarizeClaims', () => {
  it('share of the judged claims that are supported; unreadable verdicts are counted, not guessed', () => {
    expect(summarizeClaims(['supported', 'contradicted', null, 'supported', 'not_supported'])).toEqual({
      claims: 5, judged: 4, supported: 2, notSupported: 1, contradicted: 1, shareSupported: 0.5,
    });
    expect(summarizeClaims([null, null]).shareSupported).toBeNull();
    expect(summarizeClaims([])).toEqual({ claims: 0, judged: 0, supported: 0, notSupported: 0, contradicted: 0, shareSupported: null });
  });
});
