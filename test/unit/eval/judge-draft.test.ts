import { describe, expect, it } from 'vitest';
import {
  JUDGE_GRADES_SCHEMA, JUDGE_RESPONSE_FORMAT, JUDGE_RUBRIC, JUDGE_RUBRIC_VERSION, gradeToUnit, judgeMessages, parseJudge, rescaleGrade,
} from '../../../src/eval/judge';
import { draftMessages, parseDraft, proposalToItem } from '../../../src/eval/draft';

describe('parseJudge', () => {
  it('reads the requested JSON, also fenced, with single quotes or full-width punctuation', () => {
    expect(parseJudge('{"faithfulness": 4, "relevance": 5}')).toEqual({ faithfulness: 4, relevance: 5 });
    expect(parseJudge('Sure!\n```json\n{"faithfulness": "3", "relevance": 2}\n```')).toEqual({ faithfulness: 3, relevance: 2 });
    expect(parseJudge("{'faithfulness': 5, 'relevance': 1}")).toEqual({ faithfulness: 5, relevance: 1 });
    expect(parseJudge('｛"忠实度"：4，"相关性"：3｝')).toEqual({ faithfulness: 4, relevance: 3 });
  });
  it('reads loose lines, with a qualifier or a denominator of 5', () => {
    expect(parseJudge('Faithfulness: 4/5\nRelevance: **5**')).toEqual({ faithfulness: 4, relevance: 5 });
    expect(parseJudge('忠实度：2\n相关性：5')).toEqual({ faithfulness: 2, relevance: 5 });
    expect(parseJudge('Faithfulness (1–5): 4\nRelevance (1-5): 3')).toEqual({ faithfulness: 4, relevance: 3 });
    expect(parseJudge('Faithfulness score: 4. Relevance score: 2.')).toEqual({ faithfulness: 4, relevance: 2 });
    expect(parseJudge('**Faithfulness**: 4\n**Relevance**: 4.5')).toEqual({ faithfulness: 4, relevance: 4.5 });
    expect(parseJudge('回答的忠实度为4分，相关性评分：5')).toEqual({ faithfulness: 4, relevance: 5 });
  });
  it('an explicit denominator rescales the scale 1…D onto 1…5: g = 1 + 4(x − 1)/(D − 1)', () => {
    expect(parseJudge('Faithfulness: 10/10, Relevance: 10/10')).toEqual({ faithfulness: 5, relevance: 5 });
    expect(parseJudge('{"faithfulness": "8/10", "relevance": "1 out of 10"}')).toEqual({ faithfulness: 1 + (4 * 7) / 9, relevance: 1 });
    expect(rescaleGrade(4, 5)).toBe(4);
    expect(rescaleGrade(0, 10)).toBeNull();
    expect(rescaleGrade(11, 10)).toBeNull();
    expect(rescaleGrade(1, 1)).toBeNull();
    expect(rescaleGrade(3)).toBe(3);
    expect(rescaleGrade(5.5)).toBeNull();
  });
  it('numbers out of range without a denominator give null, in JSON and in lines', () => {
    expect(parseJudge('{"faithfulness": 10, "relevance": 10}')).toBeNull();
    expect(parseJudge('{"faithfulness": 7, "relevance": 5}')).toBeNull();
    expect(parseJudge('Faithfulness: 0, Relevance: 3')).toBeNull();
    expect(parseJudge('Faithfulness: 10-5, Relevance: 3')).toBeNull(); // no backtracking into "10" to read a 1
  });
  it('an echoed rubric gives null', () => {
    expect(parseJudge('Faithfulness: 1-5, Relevance: 1-5')).toBeNull();
    expect(parseJudge(JUDGE_RUBRIC.en)).toBeNull();
    expect(parseJudge(JUDGE_RUBRIC.zh)).toBeNull();
    expect(parseJudge('Faithfulness: 1 to 5; Relevance: 1–5')).toBeNull();
  });
  it('a key counts only with its own number', () => {
    expect(parseJudge('The answer is unfaithful 2 times. Relevance: 4')).toBeNull();
    expect(parseJudge('The answer is relevant: 3 of its claims are faithful. Faithfulness: 4')).toBeNull();
    expect(parseJudge('Faithfulness: 4\nRelevance: 5\nOn reflection, Faithfulness: 2')).toBeNull(); // two readings
    expect(parseJudge('Faithfulness: 4\nRelevance: 5\nSo, faithfulness: 4')).toEqual({ faithfulness: 4, relevance: 5 });
  });
  it('null for echoes of the material, one grade only, or prose', () => {
    // What the echo fixture replies: the user message itself.
    const echo = judgeMessages({ question: 'How many days?', reference: '15 days', context: ['New employees get 15 days.'], answer: 'Fifteen.', lang: 'en' })[1].content;
    expect(parseJudge(echo)).toBeNull();
    expect(parseJudge('[offline test fixture] 这是离线测试模型的固定回答 (canned reply).')).toBeNull();
    expect(parseJudge('{"faithfulness": 4}')).toBeNull();
    expect(parseJudge('{"faithfulness": 4, "relevance": "high"}')).toBeNull();
  });
  it('rubric in the system message, material in the user message; grades map to 0–1', () => {
    const m = judgeMessages({ question: 'Q?', reference: '', context: [], answer: 'A.', lang: 'zh' });
    expect(m[0]).toEqual({ role: 'system', content: JUDGE_RUBRIC.zh });
    expect(m[1].content).toContain('应当回答不知道');
    expect(m[1].content).toContain('（无）');
    expect([gradeToUnit(1), gradeToUnit(3), gradeToUnit(5)]).toEqual([0, 0.5, 1]);
    expect(JUDGE_RUBRIC_VERSION).toBe(1);
  });
  it('offers a JSON schema for constrained decoding that admits exactly the grades the parser reads', () => {
    const schema: unknown = JSON.parse(JUDGE_GRADES_SCHEMA);
    expect(schema).toMatchObject({ type: 'object', required: ['faithfulness', 'relevance'], additionalProperties: false });
    expect(JUDGE_RESPONSE_FORMAT).toEqual({ type: 'json_object', schema: JUDGE_GRADES_SCHEMA });
    for (const g of [1, 2, 3, 4, 5]) expect(parseJudge(JSON.stringify({ faithfulness: g, relevance: g }))).toEqual({ faithfulness: g, relevance: g });
  });
});

describe('parseDraft', () => {
  it('a JSON array, also wrapped in prose and fences', () => {
    const reply = 'Here are the questions:\n```json\n[{"question": "How many days of leave?", "answer": "Fifteen"}, {"question": "Who approves taxis?", "answer": "The manager"}]\n```';
    expect(parseDraft(reply)).toEqual([
      { question: 'How many days of leave?', answer: 'Fifteen' },
      { question: 'Who approves taxis?', answer: 'The manager' },
    ]);
  });
  it('an object holding the list, Chinese keys, JSON lines', () => {
    expect(parseDraft('{"pairs": [{"问题": "年假几天？", "答案": "十五天"}]}')).toEqual([{ question: '年假几天？', answer: '十五天' }]);
    expect(parseDraft('{"q": "A?", "a": "1"},\n{"q": "B?", "a": "2"}')).toEqual([
      { question: 'A?', answer: '1' },
      { question: 'B?', answer: '2' },
    ]);
  });
  it('labelled lines, numbered, in English or Chinese; duplicates and half pairs dropped', () => {
    const reply = '1. Q: How long is leave?\nA: Fifteen days.\n2. **Question:** Who approves?\n**Answer:** The manager.\nQ: How long is leave?\nA: again\nQ: dangling';
    expect(parseDraft(reply)).toEqual([
      { question: 'How long is leave?', answer: 'Fifteen days.' },
      { question: 'Who approves?', answer: 'The manager.' },
    ]);
    expect(parseDraft('问：年假几天？\n答：十五天。')).toEqual([{ question: '年假几天？', answer: '十五天。' }]);
  });
  it('nonsense (what the fixture models say) gives no pairs', () => {
    expect(parseDraft('[offline test fixture] 这是离线测试模型的固定回答 (canned reply).')).toEqual([]);
    expect(parseDraft('New employees get fifteen days of paid annual leave in their first year.')).toEqual([]);
    expect(parseDraft('[{"question": "", "answer": "x"}]')).toEqual([]);
    expect(parseDraft('')).toEqual([]);
  });
  it('the prompt puts the passage in the user turn; proposals keep it as gold', () => {
    const m = draftMessages('  Passage text.  ', 'en', 2);
    expect(m[0].content).toContain('Write 2 questions');
    expect(m[1]).toEqual({ role: 'user', content: 'Passage text.' });
    expect(proposalToItem({ question: ' Q? ', answer: ' A ', passage: 'Passage text.', docName: 'doc.md' }, 'd1')).toEqual({
      id: 'd1', question: 'Q?', answer: 'A', goldPassages: ['Passage text.'], goldDocument: 'doc.md', tags: ['drafted'],
    });
  });
});
