// The questionnaire is well formed in both languages, and stored answers are cleaned before use.

import { describe, expect, it } from 'vitest';
import { cleanAnswers, isValidAnswer, optionLabel, QUESTION_IDS, questions, type OptionValues } from '../../../src/guide/questions';

// @ts-expect-error a misspelt option value must not compile
const typo: OptionValues['knowledge-change'] = 'weekly';
void typo;

describe('questions', () => {
  it('has eleven single-choice questions with unique ids and options', () => {
    expect(questions).toHaveLength(11);
    expect(new Set(QUESTION_IDS).size).toBe(questions.length);
    for (const q of questions) {
      expect(q.kind).toBe('single');
      expect(q.options.length).toBeGreaterThanOrEqual(2);
      expect(new Set(q.options.map((o) => o.value)).size).toBe(q.options.length);
    }
  });

  it('is written in both languages', () => {
    for (const q of questions) {
      for (const l of [q.label, q.help, ...q.options.map((o) => o.label)]) {
        expect(l.en.trim()).not.toBe('');
        expect(l.zh).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });

  it('offers the answer scales the brief asks for', () => {
    const values = (id: string) => questions.find((q) => q.id === id)!.options.map((o) => o.value);
    expect(values('knowledge-change')).toEqual(['never', 'yearly', 'monthly', 'daily']);
    expect(values('examples')).toEqual(['none', 'few', 'hundreds', 'thousands']);
    expect(values('ml-capacity')).toEqual(['none', 'some', 'team-gpus']);
    expect(values('latency-cost')).toEqual(['strict', 'moderate', 'relaxed']);
    expect(values('accuracy')).toEqual(['low', 'medium', 'high']);
  });

  it('looks up option labels', () => {
    expect(optionLabel('examples', 'few')).toEqual({ en: 'Fewer than 50', zh: '不到 50 条' });
    expect(optionLabel('examples', 'dozens')).toBeUndefined();
    expect(isValidAnswer('tools', 'multi-step')).toBe(true);
    expect(isValidAnswer('tools', 'maybe')).toBe(false);
  });

  it('cleanAnswers keeps known questions with allowed values only', () => {
    expect(cleanAnswers({ tools: 'single', accuracy: 'extreme', colour: 'blue', domain: 3 })).toEqual({ tools: 'single' });
    expect(cleanAnswers(null)).toEqual({});
    expect(cleanAnswers('tools=single')).toEqual({});
  });
});
