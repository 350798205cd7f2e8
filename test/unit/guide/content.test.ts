// The guide's content is complete in both languages, the comparison table and chart are fully
// populated, the path keeps its order, and the Markdown export speaks the chosen language.

import { describe, expect, it } from 'vitest';
import {
  AXES,
  COMBINATION_POSITIONS,
  COMPARISON,
  DIMENSIONS,
  METHOD_POSITIONS,
  METHODS,
  OPTIMIZATION_PATH,
  PATH_PRINCIPLES,
  toMarkdown,
} from '../../../src/guide/content';
import { decide } from '../../../src/guide/decide';
import { interpretEvidence, type EvalSummary } from '../../../src/guide/evidence';
import { ragVsPlain } from './evidence-fixtures';
import type { Answers } from '../../../src/guide/questions';
import { SIMPLICITY_ORDER, type L } from '../../../src/guide/types';

// @ts-expect-error a text without its Chinese version must not compile
const missingZh: L = { en: 'only English' };
void missingZh;

const CJK = /[\u4e00-\u9fff]/;

/** Every `{en, zh}` object reachable from `root`, with its path for readable failures. */
function texts(root: unknown, path = ''): [string, L][] {
  if (typeof root !== 'object' || root === null) return [];
  const o = root as Record<string, unknown>;
  if (typeof o.en === 'string' && typeof o.zh === 'string') return [[path, { en: o.en, zh: o.zh }]];
  return Object.entries(o).flatMap(([k, v]) => texts(v, `${path}.${k}`));
}

describe('content completeness', () => {
  const all = texts({ METHODS, DIMENSIONS, COMPARISON, AXES, METHOD_POSITIONS, COMBINATION_POSITIONS, OPTIMIZATION_PATH, PATH_PRINCIPLES });

  it('every text is written in both languages', () => {
    expect(all.length).toBeGreaterThan(200);
    for (const [path, l] of all) {
      expect(l.en.trim(), path).not.toBe('');
      expect(l.zh, path).toMatch(CJK);
    }
  });

  it('describes all six methods with variants, uses and failure modes', () => {
    expect(Object.keys(METHODS).sort()).toEqual([...SIMPLICITY_ORDER].sort());
    for (const m of SIMPLICITY_ORDER) {
      expect(METHODS[m].key).toBe(m);
      expect(METHODS[m].variants.length).toBeGreaterThan(0);
      expect(METHODS[m].whenToUse.length).toBeGreaterThan(0);
      expect(METHODS[m].whenItFails.length).toBeGreaterThan(1);
    }
  });

  it('covers the variants the guide promises', () => {
    const names = (m: keyof typeof METHODS) => METHODS[m].variants.map((v) => v.name.en).join(' | ');
    expect(names('prompt')).toMatch(/Zero-shot.*Roles.*Structured/);
    expect(names('rag')).toMatch(/Simple.*Hybrid.*Reranking.*HyDE.*Fact-checking/);
    expect(names('fine-tune')).toMatch(/Full.*LoRA \/ QLoRA.*Continued pre-training.*Base model or chat model/);
    expect(names('agent')).toMatch(/Tool use.*Multi-step/);
  });

  it('says where RAG and fine-tuning fail', () => {
    const rag = METHODS.rag.whenItFails.map((l) => l.en).join(' ');
    expect(rag).toMatch(/style.*summary format.*API calls/);
    const ft = METHODS['fine-tune'].whenItFails.map((l) => l.en).join(' ');
    expect(ft).toContain('frequently updated facts');
    expect(ft).toContain('does not stop hallucination');
  });

  it('rates every method on every dimension from 1 to 5 with a note', () => {
    expect(DIMENSIONS).toHaveLength(10);
    for (const m of SIMPLICITY_ORDER) {
      expect(Object.keys(COMPARISON[m]).sort()).toEqual(DIMENSIONS.map((d) => d.key).sort());
      for (const d of DIMENSIONS) {
        const cell = COMPARISON[m][d.key];
        expect([1, 2, 3, 4, 5]).toContain(cell.rating);
        expect(cell.note.zh).toMatch(CJK);
      }
    }
  });

  it('keeps the table consistent with the guide’s claims', () => {
    expect(COMPARISON.rag['fresh-knowledge'].rating).toBeGreaterThan(COMPARISON['fine-tune']['fresh-knowledge'].rating);
    expect(COMPARISON.rag.explainability.rating).toBe(5);
    expect(COMPARISON['from-scratch']['total-cost'].rating).toBe(5);
    expect(COMPARISON.prompt.complexity.rating).toBe(1);
  });

  it('places every method on the two axes within [0, 1]', () => {
    for (const p of [...Object.values(METHOD_POSITIONS), ...COMBINATION_POSITIONS]) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(1);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(1);
    }
    expect(METHOD_POSITIONS.rag.x).toBeGreaterThan(METHOD_POSITIONS.rag.y);
    expect(METHOD_POSITIONS['fine-tune'].y).toBeGreaterThan(METHOD_POSITIONS['fine-tune'].x);
    expect(AXES.x.label.en).toContain('Context');
  });

  it('orders the optimization path and makes evaluation and prompting explicit', () => {
    expect(OPTIMIZATION_PATH.map((s) => s.method)).toEqual(['prompt', 'few-shot', 'rag', 'fine-tune', 'rag', 'fine-tune']);
    expect(OPTIMIZATION_PATH.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(OPTIMIZATION_PATH[4].text.en).toMatch(/HyDE.*fact-checking/);
    expect(OPTIMIZATION_PATH[5].text.en).toContain('retrieved passages to the fine-tuning examples');
    const principles = PATH_PRINCIPLES.map((p) => p.en).join(' ');
    expect(principles).toContain('Evaluate at every step');
    expect(principles).toContain('Prompt engineering stays part of every step');
  });
});

describe('toMarkdown', () => {
  const answers: Answers = {
    'private-knowledge': 'yes',
    'knowledge-change': 'monthly',
    citations: 'preferred',
    examples: 'none',
    tools: 'no',
    domain: 'specific',
  };
  const summary: EvalSummary = ragVsPlain(50, 'run-rag');
  const statements = interpretEvidence(summary);
  const rec = decide(answers, statements);

  it('writes the method, its reasons and the evidence in English', () => {
    const md = toMarkdown(rec, statements, answers, 'en');
    expect(rec.top).toBe('rag');
    expect(md.startsWith('# Recommendation: RAG (retrieval-augmented generation)\n')).toBe(true);
    for (const r of rec.ranked[0].reasons) expect(md).toContain(r.en);
    expect(md).toContain('**supports:** RAG better than plain on token F1: +0.42 [0.31, 0.52], p < 0.001, n = 50 (Wilcoxon, Holm-corrected).');
    expect(md).toContain('runs: `run-rag`');
    expect(md).toContain('| 1 | RAG (retrieval-augmented generation) |');
    expect(md).toContain('- Does the task need private or proprietary knowledge? **Yes, answers depend on our own documents**');
    expect(md).toContain('Evaluate at every step');
    expect(md).not.toMatch(CJK);
  });

  it('writes the same document in Chinese', () => {
    const md = toMarkdown(rec, statements, answers, 'zh');
    expect(md.startsWith('# 推荐方案：RAG（检索增强生成）\n')).toBe(true);
    for (const r of rec.ranked[0].reasons) {
      expect(md).toContain(r.zh);
      expect(md).not.toContain(r.en);
    }
    expect(md).toContain('## 理由');
    expect(md).toContain('**支持：** RAG 在词元 F1 上优于直接提问：+0.42 [0.31, 0.52]，p < 0.001，n = 50（Wilcoxon，Holm 校正）。');
    expect(md).toContain('任务是否需要私有或内部专有的知识？ **需要，答案取决于我们自己的文档**');
    expect(md).toContain('提示词工程贯穿每一步');
  });

  it('says when no evaluation was used and lists only answered questions', () => {
    const md = toMarkdown(decide({ domain: 'general' }), [], { domain: 'general' }, 'en');
    expect(md).toContain('# Recommendation: Prompt engineering');
    expect(md).toContain('No evaluation runs were taken into account.');
    expect(md).toContain('**General knowledge, chit-chat**');
    expect(md).not.toContain('How often does that knowledge change?');
  });

  it('keeps user-supplied run ids from breaking the Markdown', () => {
    const st = { ...statements[0], runIds: ['a|b`c'] };
    expect(toMarkdown(rec, [st], answers, 'en')).toContain('`a\\|bc`');
  });

  it('is deterministic', () => {
    expect(toMarkdown(rec, statements, answers, 'zh')).toBe(toMarkdown(decide(answers, statements), interpretEvidence(summary), answers, 'zh'));
  });
});
