// The decision-guide questionnaire: eleven single-choice questions whose answers feed decide.ts.
// Option values are typed per question (OptionValues) so a misspelt value in a scoring rule fails
// the type-check, while stored `Answers` stay plain strings that may come from old saves or URLs.

import type { L } from './types';

/** The allowed values of every question, in the order they are shown. */
export interface OptionValues {
  'private-knowledge': 'no' | 'some' | 'yes';
  'knowledge-change': 'never' | 'yearly' | 'monthly' | 'daily';
  citations: 'no' | 'preferred' | 'required';
  format: 'free' | 'some' | 'strict';
  examples: 'none' | 'few' | 'hundreds' | 'thousands';
  'ml-capacity': 'none' | 'some' | 'team-gpus';
  'latency-cost': 'strict' | 'moderate' | 'relaxed';
  tools: 'no' | 'single' | 'multi-step';
  accuracy: 'low' | 'medium' | 'high';
  domain: 'general' | 'mixed' | 'specific';
  'new-domain': 'no' | 'corpus' | 'unknown-language';
}

export type QuestionId = keyof OptionValues;

/** Answers as stored: any subset of questions, values unchecked (see `cleanAnswers`). */
export type Answers = Partial<Record<QuestionId, string>>;

export interface QuestionOption<V extends string = string> {
  value: V;
  label: L;
}

export interface Question<Q extends QuestionId = QuestionId> {
  id: Q;
  kind: 'single';
  label: L;
  help: L;
  options: readonly QuestionOption<OptionValues[Q]>[];
}

export type AnyQuestion = { [Q in QuestionId]: Question<Q> }[QuestionId];

export const questions: readonly AnyQuestion[] = [
  {
    id: 'private-knowledge',
    kind: 'single',
    label: {
      en: 'Does the task need private or proprietary knowledge?',
      zh: '任务是否需要私有或内部专有的知识？',
    },
    help: {
      en: 'Internal policies, product data, contracts, tickets: anything that was never on the public web the model learned from.',
      zh: '例如内部制度、产品数据、合同、工单——凡是模型训练时接触不到的非公开内容都算。',
    },
    options: [
      { value: 'no', label: { en: 'No, public or general knowledge is enough', zh: '不需要，公开或通用知识就够了' } },
      { value: 'some', label: { en: 'Partly', zh: '部分需要' } },
      { value: 'yes', label: { en: 'Yes, answers depend on our own documents', zh: '需要，答案取决于我们自己的文档' } },
    ],
  },
  {
    id: 'knowledge-change',
    kind: 'single',
    label: { en: 'How often does that knowledge change?', zh: '这些知识多久更新一次？' },
    help: {
      en: 'Facts baked into model weights are frozen at training time; a document index can be updated in minutes.',
      zh: '写进模型权重的知识在训练完成那一刻就固定了；文档索引则几分钟就能更新。',
    },
    options: [
      { value: 'never', label: { en: 'Practically never', zh: '基本不变' } },
      { value: 'yearly', label: { en: 'About once a year', zh: '大约每年一次' } },
      { value: 'monthly', label: { en: 'Monthly', zh: '每月' } },
      { value: 'daily', label: { en: 'Daily or faster', zh: '每天甚至更频繁' } },
    ],
  },
  {
    id: 'citations',
    kind: 'single',
    label: { en: 'Must answers cite their sources?', zh: '回答是否必须注明出处？' },
    help: {
      en: 'Auditors, lawyers and doctors often need to see which passage an answer came from.',
      zh: '审计、法律、医疗等场景通常要求能看到答案出自哪一段原文。',
    },
    options: [
      { value: 'no', label: { en: 'No', zh: '不需要' } },
      { value: 'preferred', label: { en: 'Preferred', zh: '最好有' } },
      { value: 'required', label: { en: 'Required', zh: '必须有' } },
    ],
  },
  {
    id: 'format',
    kind: 'single',
    label: {
      en: 'Must the output follow a strict format or style?',
      zh: '输出是否必须遵循严格的格式或文风？',
    },
    help: {
      en: 'A JSON schema, a fixed label set, a house style, a brand voice. This is behaviour, not knowledge.',
      zh: '比如固定的 JSON 结构、固定的分类标签、公司统一文风或品牌语气。这属于“行为”，而不是“知识”。',
    },
    options: [
      { value: 'free', label: { en: 'No, free text is fine', zh: '不需要，自由文本即可' } },
      { value: 'some', label: { en: 'Some conventions', zh: '有一些约定' } },
      { value: 'strict', label: { en: 'Yes, strict format or style', zh: '是，格式或文风要求严格' } },
    ],
  },
  {
    id: 'examples',
    kind: 'single',
    label: {
      en: 'How many labelled examples (input → ideal output) do you have?',
      zh: '你手上有多少条标注好的示例（输入 → 理想输出）？',
    },
    help: {
      en: 'A handful is enough to show the model in the prompt; fine-tuning usually needs hundreds or more.',
      zh: '几条示例就能放进提示词里给模型看；微调通常需要几百条以上。',
    },
    options: [
      { value: 'none', label: { en: 'None', zh: '没有' } },
      { value: 'few', label: { en: 'Fewer than 50', zh: '不到 50 条' } },
      { value: 'hundreds', label: { en: 'Hundreds', zh: '几百条' } },
      { value: 'thousands', label: { en: 'Thousands or more', zh: '几千条甚至更多' } },
    ],
  },
  {
    id: 'ml-capacity',
    kind: 'single',
    label: {
      en: 'How much ML expertise and GPU budget do you have?',
      zh: '你们的机器学习能力和 GPU 预算如何？',
    },
    help: {
      en: 'Training, evaluating and serving your own model weights is a different job from writing prompts.',
      zh: '训练、评估并部署自己的模型权重，和写提示词完全是两回事。',
    },
    options: [
      { value: 'none', label: { en: 'None', zh: '基本没有' } },
      { value: 'some', label: { en: 'Some experience, occasional GPU rental', zh: '有一定经验，偶尔租用 GPU' } },
      { value: 'team-gpus', label: { en: 'An ML team with GPUs', zh: '有专门的机器学习团队和 GPU' } },
    ],
  },
  {
    id: 'latency-cost',
    kind: 'single',
    label: {
      en: 'How tight are latency and cost limits per request?',
      zh: '每次请求的延迟和成本限制有多严格？',
    },
    help: {
      en: 'Long prompts (examples, retrieved passages) and multiple model calls cost tokens and time on every request.',
      zh: '长提示词（示例、检索到的段落）和多次模型调用，每次请求都要多花 token 和时间。',
    },
    options: [
      { value: 'strict', label: { en: 'Strict (real-time, high volume)', zh: '严格（实时响应、请求量大）' } },
      { value: 'moderate', label: { en: 'Moderate', zh: '适中' } },
      { value: 'relaxed', label: { en: 'Relaxed', zh: '宽松' } },
    ],
  },
  {
    id: 'tools',
    kind: 'single',
    label: {
      en: 'Does the task require tools, APIs or multi-step actions?',
      zh: '任务是否需要调用工具、API 或执行多步操作？',
    },
    help: {
      en: 'Booking, querying live systems, running code, filling forms: the model has to act, not only answer.',
      zh: '比如预订、查询实时系统、运行代码、填写表单——模型需要“动手做事”，而不只是回答。',
    },
    options: [
      { value: 'no', label: { en: 'No, answering is enough', zh: '不需要，回答问题就够了' } },
      { value: 'single', label: { en: 'One tool or API call', zh: '需要调用一个工具或 API' } },
      { value: 'multi-step', label: { en: 'Several steps across tools', zh: '需要跨多个工具完成多步操作' } },
    ],
  },
  {
    id: 'accuracy',
    kind: 'single',
    label: { en: 'How critical is accuracy?', zh: '准确性有多关键？' },
    help: {
      en: 'What does a wrong answer cost: a shrug, a support ticket, or harm to someone?',
      zh: '答错的代价是什么：一笑了之、多一张工单，还是会对人造成伤害？',
    },
    options: [
      { value: 'low', label: { en: 'Low (drafts, brainstorming)', zh: '低（草稿、头脑风暴）' } },
      { value: 'medium', label: { en: 'Medium', zh: '中等' } },
      { value: 'high', label: { en: 'High (legal, medical, financial)', zh: '高（法律、医疗、金融）' } },
    ],
  },
  {
    id: 'domain',
    kind: 'single',
    label: {
      en: 'Is the task mostly general knowledge and conversation, or domain-specific?',
      zh: '任务主要是通用知识和闲聊，还是特定领域？',
    },
    help: {
      en: 'Large models already know a lot of general knowledge; narrow domains have their own vocabulary and facts.',
      zh: '大模型本身已掌握大量通用知识；细分领域则有自己的术语和事实。',
    },
    options: [
      { value: 'general', label: { en: 'General knowledge, chit-chat', zh: '通用知识、闲聊' } },
      { value: 'mixed', label: { en: 'A mix', zh: '两者都有' } },
      { value: 'specific', label: { en: 'Domain-specific', zh: '特定领域' } },
    ],
  },
  {
    id: 'new-domain',
    kind: 'single',
    label: {
      en: 'Do you have a huge domain corpus, and a language or domain the base models do not know at all?',
      zh: '你是否拥有海量领域语料，并且涉及基础模型完全不懂的语言或领域？',
    },
    help: {
      en: 'Think billions of tokens of raw text. Only then does teaching a model a whole new language or domain become possible.',
      zh: '这里指数十亿 token 级别的原始文本。只有到这个量级，才谈得上让模型学会一门全新的语言或领域。',
    },
    options: [
      { value: 'no', label: { en: 'No', zh: '没有' } },
      {
        value: 'corpus',
        label: { en: 'A huge corpus, but models know the language', zh: '有海量语料，但模型懂这门语言' },
      },
      {
        value: 'unknown-language',
        label: {
          en: 'Yes: a huge corpus in a language or domain no model knows',
          zh: '是：有海量语料，且语言或领域是现有模型完全不懂的',
        },
      },
    ],
  },
];

export const QUESTION_IDS: readonly QuestionId[] = questions.map((q) => q.id);

export function questionById(id: QuestionId): AnyQuestion | undefined {
  return questions.find((q) => q.id === id);
}

/** The label of an answer, or undefined for an unknown question or value. */
export function optionLabel(id: QuestionId, value: string): L | undefined {
  return questionById(id)?.options.find((o) => o.value === value)?.label;
}

export function isQuestionId(value: unknown): value is QuestionId {
  return typeof value === 'string' && (QUESTION_IDS as readonly string[]).includes(value);
}

/** True when `value` is one of the options of question `id`. */
export function isValidAnswer<Q extends QuestionId>(id: Q, value: unknown): value is OptionValues[Q] {
  return questions.some((q) => q.id === id && q.options.some((o) => o.value === value));
}

/**
 * Keeps only known questions with allowed values, so answers read back from storage, a shared
 * URL or an older version of the questionnaire cannot smuggle in values no rule expects.
 */
export function cleanAnswers(raw: unknown): Answers {
  const out: Answers = {};
  if (typeof raw !== 'object' || raw === null) return out;
  for (const [key, value] of Object.entries(raw)) {
    if (isQuestionId(key) && isValidAnswer(key, value)) out[key] = value;
  }
  return out;
}
