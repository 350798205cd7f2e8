// Pure, deterministic recommendation: questionnaire answers (plus optional measured evidence) → a
// ranking of the six methods with the reasons behind every point. Rules are a flat table so that each
// point can be read, tested and shown to the user; ties go to the simpler, cheaper method.

import { evidenceAdjustments, type EvidenceStatement } from './evidence';
import type { Answers, OptionValues, QuestionId } from './questions';
import { APPROACH_NAMES, SIMPLICITY_ORDER, spaceMixed, type L, type ApproachId } from './types';

export interface ScoringRule {
  id: string;
  method: ApproachId;
  /** Positive for a fit, negative for a reason against. Requirements weigh more than preferences. */
  points: number;
  when: (a: Answers) => boolean;
  reason: L;
}

export interface RankedMethod {
  method: ApproachId;
  score: number;
  reasons: L[];
}

export interface Recommendation {
  /** All six methods, best first; equal scores in SIMPLICITY_ORDER. */
  ranked: RankedMethod[];
  top: ApproachId;
  /** How the top pick can fail, and when to fall back to the runner-up. */
  runnerUpRisks: L[];
  /** How to combine the top pick with another method; always restates that prompting stays. */
  combine?: L;
}

/** A runner-up within this many points is a close call worth testing side by side. */
export const CLOSE_MARGIN = 2;

/** True when question `q` was answered with one of `values` (typed, so a typo fails the build). */
function is<Q extends QuestionId>(a: Answers, q: Q, ...values: OptionValues[Q][]): boolean {
  const v = a[q];
  return v !== undefined && (values as readonly string[]).includes(v);
}

const hasPrivate = (a: Answers) => is(a, 'private-knowledge', 'yes', 'some');
const hasManyExamples = (a: Answers) => is(a, 'examples', 'hundreds', 'thousands');
const changesOften = (a: Answers) => is(a, 'knowledge-change', 'monthly', 'daily');
const usesTools = (a: Answers) => is(a, 'tools', 'single', 'multi-step');

export const RULES: readonly ScoringRule[] = [
  // ── Prompt engineering ──────────────────────────────────────────────────────────────────────────
  {
    id: 'prompt.general-domain',
    method: 'prompt',
    points: 3,
    when: (a) => is(a, 'domain', 'general'),
    reason: {
      en: 'The task is mostly general knowledge the base model already has; a clear prompt is usually enough.',
      zh: '任务主要依赖基础模型本来就掌握的通用知识，写好提示词通常就够了。',
    },
  },
  {
    id: 'prompt.no-private',
    method: 'prompt',
    points: 2,
    when: (a) => is(a, 'private-knowledge', 'no'),
    reason: {
      en: 'No private knowledge is needed, so nothing has to be added to the model.',
      zh: '不需要私有知识，无需给模型额外补充任何内容。',
    },
  },
  {
    id: 'prompt.free-format',
    method: 'prompt',
    points: 1,
    when: (a) => is(a, 'format', 'free'),
    reason: {
      en: 'Free-form output: instructions alone can shape it.',
      zh: '输出格式自由，仅靠指令就能控制。',
    },
  },
  {
    id: 'prompt.no-examples',
    method: 'prompt',
    points: 1,
    when: (a) => is(a, 'examples', 'none'),
    reason: {
      en: 'No labelled examples yet: zero-shot instructions are where you can start today.',
      zh: '还没有标注示例：零样本指令是今天就能开始的做法。',
    },
  },
  {
    id: 'prompt.no-ml',
    method: 'prompt',
    points: 1,
    when: (a) => is(a, 'ml-capacity', 'none'),
    reason: {
      en: 'Needs no ML expertise: only writing and testing prompts.',
      zh: '不需要机器学习专业能力，只需编写和测试提示词。',
    },
  },
  {
    id: 'prompt.strict-latency',
    method: 'prompt',
    points: 1,
    when: (a) => is(a, 'latency-cost', 'strict'),
    reason: {
      en: 'The shortest prompt is the fastest and cheapest per request.',
      zh: '提示词最短，每次请求最快、最省钱。',
    },
  },
  {
    id: 'prompt.low-stakes',
    method: 'prompt',
    points: 1,
    when: (a) => is(a, 'accuracy', 'low'),
    reason: {
      en: 'Occasional mistakes are acceptable, so the simplest approach is good enough.',
      zh: '偶尔出错可以接受，最简单的做法就够用。',
    },
  },
  {
    id: 'prompt.strict-format',
    method: 'prompt',
    points: -1,
    when: (a) => is(a, 'format', 'strict'),
    reason: {
      en: 'Instructions alone rarely pin down a strict format or house style reliably.',
      zh: '仅靠指令，很难稳定地约束严格的格式或统一文风。',
    },
  },
  {
    id: 'prompt.private',
    method: 'prompt',
    points: -2,
    when: (a) => is(a, 'private-knowledge', 'yes'),
    reason: {
      en: 'The model cannot know your private facts; with a prompt alone it will guess.',
      zh: '模型不可能知道你们的私有信息，只靠提示词它就只能瞎猜。',
    },
  },
  {
    id: 'prompt.unknown-language',
    method: 'prompt',
    points: -3,
    when: (a) => is(a, 'new-domain', 'unknown-language'),
    reason: {
      en: 'The base model does not know this language or domain; no prompt can teach it one.',
      zh: '基础模型不懂这门语言或这个领域，再好的提示词也教不会它。',
    },
  },

  // ── Few-shot ────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'few-shot.few-examples',
    method: 'few-shot',
    points: 3,
    when: (a) => is(a, 'examples', 'few'),
    reason: {
      en: 'Fewer than 50 examples: ideal to show in the prompt, too few to fine-tune on.',
      zh: '示例不到 50 条：放进提示词里正合适，用来微调却太少。',
    },
  },
  {
    id: 'few-shot.few-and-strict',
    method: 'few-shot',
    points: 2,
    when: (a) => is(a, 'examples', 'few') && is(a, 'format', 'strict'),
    reason: {
      en: 'A strict format or style plus a handful of examples is exactly what in-context examples teach best.',
      zh: '严格的格式或文风，再加上少量示例——这正是上下文示例最擅长教会模型的东西。',
    },
  },
  {
    id: 'few-shot.more-examples',
    method: 'few-shot',
    points: 1,
    when: hasManyExamples,
    reason: {
      en: 'Plenty of examples to pick the best few from, or to retrieve the most similar ones per question.',
      zh: '示例充足，可以挑出最好的几条，或按问题检索最相近的示例。',
    },
  },
  {
    id: 'few-shot.strict-format',
    method: 'few-shot',
    points: 2,
    when: (a) => is(a, 'format', 'strict'),
    reason: {
      en: 'Showing the required format is more reliable than describing it.',
      zh: '直接展示要求的格式，比用文字描述更可靠。',
    },
  },
  {
    id: 'few-shot.some-format',
    method: 'few-shot',
    points: 1,
    when: (a) => is(a, 'format', 'some'),
    reason: {
      en: 'A few examples make output conventions concrete.',
      zh: '几条示例就能把输出约定讲清楚。',
    },
  },
  {
    id: 'few-shot.no-examples',
    method: 'few-shot',
    points: -2,
    when: (a) => is(a, 'examples', 'none'),
    reason: {
      en: 'No labelled examples to show yet (you could write a few yourself).',
      zh: '目前没有可展示的标注示例（不过你可以自己先写几条）。',
    },
  },
  {
    id: 'few-shot.strict-latency',
    method: 'few-shot',
    points: -1,
    when: (a) => is(a, 'latency-cost', 'strict'),
    reason: {
      en: 'Examples lengthen every prompt, adding tokens and latency to each request.',
      zh: '示例会拉长每一次的提示词，增加每次请求的 token 和延迟。',
    },
  },
  {
    id: 'few-shot.unknown-language',
    method: 'few-shot',
    points: -2,
    when: (a) => is(a, 'new-domain', 'unknown-language'),
    reason: {
      en: 'A few examples cannot teach a model a language it has never seen.',
      zh: '几条示例教不会模型一门它从没见过的语言。',
    },
  },

  // ── RAG ─────────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'rag.private',
    method: 'rag',
    points: 4,
    when: (a) => is(a, 'private-knowledge', 'yes'),
    reason: {
      en: 'Answers depend on private documents the model never saw; retrieval puts the right passages into the prompt.',
      zh: '答案取决于模型从没见过的私有文档；检索能把相关段落放进提示词。',
    },
  },
  {
    id: 'rag.some-private',
    method: 'rag',
    points: 2,
    when: (a) => is(a, 'private-knowledge', 'some'),
    reason: {
      en: 'Part of the answers depend on your own documents.',
      zh: '部分答案依赖你们自己的文档。',
    },
  },
  {
    id: 'rag.changing',
    method: 'rag',
    points: 3,
    when: changesOften,
    reason: {
      en: 'Knowledge changes often: updating a document index takes minutes, and no retraining is needed.',
      zh: '知识更新频繁：更新文档索引只需几分钟，不用重新训练模型。',
    },
  },
  {
    id: 'rag.daily',
    method: 'rag',
    points: 1,
    when: (a) => is(a, 'knowledge-change', 'daily'),
    reason: {
      en: 'Daily changes: only an index that is updated continuously keeps up.',
      zh: '每天都在变：只有持续更新的索引才跟得上。',
    },
  },
  {
    id: 'rag.yearly',
    method: 'rag',
    points: 1,
    when: (a) => is(a, 'knowledge-change', 'yearly'),
    reason: {
      en: 'Yearly updates are easy to reflect by re-indexing the documents.',
      zh: '每年一次的更新，重新建一次索引就能跟上。',
    },
  },
  {
    id: 'rag.citations-required',
    method: 'rag',
    points: 4,
    when: (a) => is(a, 'citations', 'required'),
    reason: {
      en: 'Answers must cite sources: retrieval hands every answer the passages it is based on.',
      zh: '回答必须注明出处：检索能为每个回答提供它所依据的原文段落。',
    },
  },
  {
    id: 'rag.citations-preferred',
    method: 'rag',
    points: 2,
    when: (a) => is(a, 'citations', 'preferred'),
    reason: {
      en: 'Citations are wanted, and retrieved passages provide them for free.',
      zh: '希望附上出处，而检索到的段落天然就能提供。',
    },
  },
  {
    id: 'rag.high-accuracy-private',
    method: 'rag',
    points: 1,
    when: (a) => is(a, 'accuracy', 'high') && hasPrivate(a),
    reason: {
      en: 'Grounding answers in retrieved text lowers the risk of made-up facts, and lets you check them.',
      zh: '让回答基于检索到的原文，能降低编造事实的风险，也便于核查。',
    },
  },
  {
    id: 'rag.domain',
    method: 'rag',
    points: 1,
    when: (a) => is(a, 'domain', 'specific'),
    reason: {
      en: 'Domain-specific questions benefit from domain documents in the context.',
      zh: '特定领域的问题，把领域文档放进上下文会有帮助。',
    },
  },
  {
    id: 'rag.nothing-to-retrieve',
    method: 'rag',
    points: -2,
    when: (a) => is(a, 'private-knowledge', 'no') && is(a, 'domain', 'general'),
    reason: {
      en: 'Nothing to retrieve: the knowledge is general and already in the model.',
      zh: '没有需要检索的内容：所需知识是通用的，模型本来就有。',
    },
  },
  {
    id: 'rag.strict-latency',
    method: 'rag',
    points: -1,
    when: (a) => is(a, 'latency-cost', 'strict'),
    reason: {
      en: 'Retrieval adds a search step and a much longer prompt to every request.',
      zh: '检索会给每次请求增加一次搜索，以及长得多的提示词。',
    },
  },

  // ── Fine-tuning ─────────────────────────────────────────────────────────────────────────────────
  {
    id: 'fine-tune.thousands',
    method: 'fine-tune',
    points: 3,
    when: (a) => is(a, 'examples', 'thousands'),
    reason: {
      en: 'Thousands of labelled examples: enough to fine-tune reliably.',
      zh: '有几千条标注示例，足以稳定地完成微调。',
    },
  },
  {
    id: 'fine-tune.hundreds',
    method: 'fine-tune',
    points: 2,
    when: (a) => is(a, 'examples', 'hundreds'),
    reason: {
      en: 'Hundreds of examples: enough for parameter-efficient fine-tuning (LoRA).',
      zh: '有几百条示例，足够做参数高效微调（LoRA）。',
    },
  },
  {
    id: 'fine-tune.strict-format',
    method: 'fine-tune',
    points: 2,
    when: (a) => is(a, 'format', 'strict'),
    reason: {
      en: 'A fixed format or style is behaviour, and fine-tuning bakes behaviour into the model.',
      zh: '固定的格式或文风属于“行为”，而微调正是把行为固化进模型。',
    },
  },
  {
    id: 'fine-tune.fast-small',
    method: 'fine-tune',
    points: 2,
    when: (a) => is(a, 'latency-cost', 'strict') && hasManyExamples(a),
    reason: {
      en: 'Strict latency with enough data: a small tuned model needs no long prompt and answers fast.',
      zh: '延迟要求严格且数据充足：微调后的小模型不需要长提示词，响应很快。',
    },
  },
  {
    id: 'fine-tune.ml-some',
    method: 'fine-tune',
    points: 1,
    when: (a) => is(a, 'ml-capacity', 'some'),
    reason: {
      en: 'Some ML experience and rented GPUs are enough for a LoRA/QLoRA run.',
      zh: '有一定机器学习经验、能租到 GPU，就足以跑一次 LoRA/QLoRA 微调。',
    },
  },
  {
    id: 'fine-tune.ml-team',
    method: 'fine-tune',
    points: 2,
    when: (a) => is(a, 'ml-capacity', 'team-gpus'),
    reason: {
      en: 'An ML team with GPUs can train, evaluate and serve tuned models.',
      zh: '有 GPU 的机器学习团队能够完成微调模型的训练、评估和部署。',
    },
  },
  {
    id: 'fine-tune.no-ml',
    method: 'fine-tune',
    points: -2,
    when: (a) => is(a, 'ml-capacity', 'none'),
    reason: {
      en: 'Without ML experience, training, evaluating and serving a tuned model is a big step.',
      zh: '没有机器学习经验，训练、评估并部署一个微调模型是很大的跨越。',
    },
  },
  {
    id: 'fine-tune.stable',
    method: 'fine-tune',
    points: 1,
    when: (a) => is(a, 'knowledge-change', 'never') && hasManyExamples(a),
    reason: {
      en: 'A stable task with plenty of data: a tuned model will not go stale.',
      zh: '任务稳定、数据充足：微调后的模型不会很快过时。',
    },
  },
  {
    id: 'fine-tune.changing',
    method: 'fine-tune',
    points: -2,
    when: changesOften,
    reason: {
      en: 'Facts change too often: a tuned model would need retraining every time, and would still state outdated facts confidently.',
      zh: '事实变化太频繁：微调模型每次都得重新训练，而且仍会自信地给出过时的信息。',
    },
  },
  {
    id: 'fine-tune.domain',
    method: 'fine-tune',
    points: 1,
    when: (a) => is(a, 'domain', 'specific'),
    reason: {
      en: 'Domain vocabulary and conventions can be learned by tuning.',
      zh: '领域术语和惯例可以通过微调学会。',
    },
  },
  {
    id: 'fine-tune.few-examples',
    method: 'fine-tune',
    points: -1,
    when: (a) => is(a, 'examples', 'few'),
    reason: {
      en: 'Fewer than 50 examples is too few to fine-tune without overfitting.',
      zh: '不到 50 条示例，微调很容易过拟合。',
    },
  },
  {
    id: 'fine-tune.no-data',
    method: 'fine-tune',
    points: -2,
    when: (a) => is(a, 'examples', 'none') && is(a, 'new-domain', 'no'),
    reason: {
      en: 'No labelled examples and no large corpus: there is nothing to fine-tune on.',
      zh: '既没有标注示例也没有大规模语料：没有可用于微调的数据。',
    },
  },
  {
    id: 'fine-tune.big-corpus',
    method: 'fine-tune',
    points: 3,
    when: (a) => is(a, 'new-domain', 'corpus'),
    reason: {
      en: 'A huge domain corpus suits continued pre-training of an existing model, followed by a short supervised fine-tune.',
      zh: '海量领域语料适合在现有模型上做继续预训练，再做一轮简短的监督微调。',
    },
  },
  {
    id: 'fine-tune.new-language',
    method: 'fine-tune',
    points: 2,
    when: (a) => is(a, 'new-domain', 'unknown-language'),
    reason: {
      en: 'Continued pre-training of a multilingual base model is the cheaper alternative to training from scratch.',
      zh: '在多语言基础模型上做继续预训练，是比从零训练便宜得多的替代方案。',
    },
  },
  {
    id: 'fine-tune.citations-required',
    method: 'fine-tune',
    points: -1,
    when: (a) => is(a, 'citations', 'required'),
    reason: {
      en: 'A tuned model cannot point to where a fact came from.',
      zh: '微调后的模型无法指出某个事实出自哪里。',
    },
  },

  // ── Training from scratch ───────────────────────────────────────────────────────────────────────
  {
    id: 'from-scratch.rarely',
    method: 'from-scratch',
    points: -2,
    when: (a) => !is(a, 'new-domain', 'unknown-language'),
    reason: {
      en: 'Rarely worth it: existing models already know the language and most domains.',
      zh: '很少值得：现有模型已经懂这门语言，也了解大多数领域。',
    },
  },
  {
    id: 'from-scratch.new-language',
    method: 'from-scratch',
    points: 5,
    when: (a) => is(a, 'new-domain', 'unknown-language'),
    reason: {
      en: 'No base model knows this language or domain, and you have the corpus to teach one.',
      zh: '没有任何基础模型懂这门语言或这个领域，而你们有足够的语料来训练一个。',
    },
  },
  {
    id: 'from-scratch.team',
    method: 'from-scratch',
    points: 1,
    when: (a) => is(a, 'ml-capacity', 'team-gpus'),
    reason: {
      en: 'An ML team with GPUs has the skills to run pre-training.',
      zh: '有 GPU 的机器学习团队具备做预训练的能力。',
    },
  },
  {
    id: 'from-scratch.team-and-language',
    method: 'from-scratch',
    points: 2,
    when: (a) => is(a, 'ml-capacity', 'team-gpus') && is(a, 'new-domain', 'unknown-language'),
    reason: {
      en: 'With a GPU team and a language no model covers, a multi-week pre-training run is justified.',
      zh: '既有 GPU 团队，语言又不被任何模型覆盖，花几周时间做预训练是值得的。',
    },
  },
  {
    id: 'from-scratch.no-ml',
    method: 'from-scratch',
    points: -4,
    when: (a) => is(a, 'ml-capacity', 'none'),
    reason: {
      en: 'Training from scratch needs ML expertise, data pipelines and serious GPU time.',
      zh: '从零训练需要机器学习专业能力、数据处理流水线和大量 GPU 算力。',
    },
  },
  {
    id: 'from-scratch.ml-some',
    method: 'from-scratch',
    points: -2,
    when: (a) => is(a, 'ml-capacity', 'some'),
    reason: {
      en: 'A pre-training run is beyond what a small team with occasional GPUs can usually afford.',
      zh: '只是偶尔租用 GPU 的小团队，通常负担不起一次完整的预训练。',
    },
  },

  // ── Agent ───────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'agent.multi-step',
    method: 'agent',
    // A hard requirement: no other method can act, so this outweighs any preference.
    points: 10,
    when: (a) => is(a, 'tools', 'multi-step'),
    reason: {
      en: 'The task must act (call APIs, chain steps), and only an agent loop can do that.',
      zh: '任务需要“动手”（调用 API、串联多个步骤），只有智能体循环能做到。',
    },
  },
  {
    id: 'agent.single-tool',
    method: 'agent',
    // Still a requirement prompting alone cannot meet, so it must outweigh a "general task" profile.
    points: 7,
    when: (a) => is(a, 'tools', 'single'),
    reason: {
      en: 'One tool or API call: a function-calling prompt, the smallest possible agent, does it.',
      zh: '只需调用一个工具或 API：一个支持函数调用的提示词（最简单的智能体）就能完成。',
    },
  },
  {
    id: 'agent.with-retrieval',
    method: 'agent',
    points: 3,
    when: (a) => is(a, 'tools', 'multi-step') && hasPrivate(a),
    reason: {
      en: 'Search over your documents becomes one of the agent’s tools, so knowledge and actions live in one loop.',
      zh: '对文档的检索可以作为智能体的一个工具，知识和操作在同一个循环里完成。',
    },
  },
  {
    id: 'agent.live-data',
    method: 'agent',
    points: 2,
    when: (a) => is(a, 'knowledge-change', 'daily') && usesTools(a),
    reason: {
      en: 'Live, fast-changing data is better fetched by a tool call than copied into an index.',
      zh: '实时、快速变化的数据，用工具调用直接获取比复制进索引更好。',
    },
  },
  {
    id: 'agent.no-tools',
    method: 'agent',
    points: -3,
    when: (a) => is(a, 'tools', 'no'),
    reason: {
      en: 'No tools or actions needed: an agent loop would only add latency and failure points.',
      zh: '不需要工具或操作：智能体循环只会徒增延迟和出错环节。',
    },
  },
  {
    id: 'agent.strict-latency',
    method: 'agent',
    points: -2,
    when: (a) => is(a, 'latency-cost', 'strict'),
    reason: {
      en: 'Each step is another model call: multi-step agents are slow and costly per request.',
      zh: '每一步都是一次模型调用：多步智能体的单次请求又慢又贵。',
    },
  },
  {
    id: 'agent.high-accuracy',
    method: 'agent',
    points: -1,
    when: (a) => is(a, 'accuracy', 'high') && is(a, 'tools', 'multi-step'),
    reason: {
      en: 'Errors compound over steps; high accuracy needs checks after every tool call.',
      zh: '错误会在多个步骤间累积；高准确性要求每次工具调用后都要校验。',
    },
  },
];

interface RiskRule {
  method: ApproachId;
  when: (a: Answers) => boolean;
  text: L;
}

/** Failure modes of the top pick, shown next to it so nobody adopts a method blind. */
const RISKS: readonly RiskRule[] = [
  {
    method: 'prompt',
    when: hasPrivate,
    text: {
      en: 'Without your documents the model will invent private facts; add retrieval as soon as answers need them.',
      zh: '没有你们的文档，模型会编造私有信息；一旦回答需要这些信息，就该加上检索。',
    },
  },
  {
    method: 'prompt',
    when: () => true,
    text: {
      en: 'Prompts are brittle: small wording or model changes shift results. Keep a test set and re-run it after every change.',
      zh: '提示词很脆弱：措辞或模型的细微变化都会影响结果。准备一套测试集，每次修改后都重新跑一遍。',
    },
  },
  {
    method: 'few-shot',
    when: () => true,
    text: {
      en: 'Examples add tokens to every request, and gains flatten after a few dozen; choose diverse, correct examples.',
      zh: '示例会增加每次请求的 token，而且超过几十条后收益趋于平缓；应挑选多样且正确的示例。',
    },
  },
  {
    method: 'few-shot',
    when: hasPrivate,
    text: {
      en: 'Examples teach format, not facts: the model will still guess private knowledge unless you add retrieval.',
      zh: '示例教的是格式而不是事实：不加检索，模型对私有知识仍然只能靠猜。',
    },
  },
  {
    method: 'rag',
    when: () => true,
    text: {
      en: 'Answers can only be as good as retrieval: if the right passage is not in the top-k, RAG cannot help. Measure retrieval recall@k.',
      zh: '回答质量的上限取决于检索：正确段落不在前 k 个结果里，RAG 就无能为力。请测量检索召回率（recall@k）。',
    },
  },
  {
    method: 'rag',
    when: (a) => is(a, 'format', 'strict', 'some'),
    text: {
      en: 'RAG adds knowledge, not behaviour: it does not teach a format or style. Pair it with examples or fine-tuning.',
      zh: 'RAG 补充的是知识而不是行为，它教不会模型格式或文风。需要搭配示例或微调。',
    },
  },
  {
    method: 'rag',
    when: (a) => is(a, 'latency-cost', 'strict'),
    text: {
      en: 'Retrieved passages multiply prompt tokens and latency; keep k small and chunks tight.',
      zh: '检索到的段落会成倍增加提示词 token 和延迟；k 值要小，分块要精简。',
    },
  },
  {
    method: 'fine-tune',
    when: () => true,
    text: {
      en: 'Fine-tuning does not stop hallucination, and facts learned in training are frozen; keep a held-out test set to catch regressions.',
      zh: '微调并不能消除幻觉，训练时学到的事实也会被固定下来；保留一份独立测试集来发现退化。',
    },
  },
  {
    method: 'fine-tune',
    when: changesOften,
    text: {
      en: 'Your knowledge changes faster than you can retrain: keep facts in retrieval and tune only behaviour.',
      zh: '知识更新比重新训练的速度还快：事实放在检索里，微调只负责行为。',
    },
  },
  {
    method: 'fine-tune',
    when: (a) => is(a, 'examples', 'none', 'few'),
    text: {
      en: 'With little data a tuned model overfits; collect more examples (few-shot prompting helps gather them).',
      zh: '数据太少，微调模型会过拟合；先积累更多示例（少样本提示可以帮你收集）。',
    },
  },
  {
    method: 'from-scratch',
    when: () => true,
    text: {
      en: 'Months of work and large compute budgets; unless your data is truly unique, the result usually trails open models with continued pre-training.',
      zh: '需要数月时间和巨额算力；除非数据真的独一无二，否则效果通常不如在开源模型上继续预训练。',
    },
  },
  {
    method: 'agent',
    when: () => true,
    text: {
      en: 'Every step can fail and errors compound; log and evaluate each tool call, and keep a human in the loop for irreversible actions.',
      zh: '每一步都可能出错，且错误会累积；记录并评估每次工具调用，对不可撤销的操作要保留人工确认。',
    },
  },
  {
    method: 'agent',
    when: (a) => is(a, 'latency-cost', 'strict'),
    text: {
      en: 'Several model calls per request will strain strict latency and cost limits.',
      zh: '每次请求要多次调用模型，很难满足严格的延迟和成本限制。',
    },
  },
];

/** The principle every combination note ends with. */
export const PROMPT_STAYS: L = {
  en: 'Prompt engineering stays part of every step: instructions, role and output format still live in the prompt.',
  zh: '提示词工程贯穿每一步：指令、角色设定和输出格式依然写在提示词里。',
};

function combination(a: Answers, top: ApproachId): L | undefined {
  switch (top) {
    case 'prompt':
      return undefined;
    case 'few-shot':
      return hasPrivate(a)
        ? {
            en: 'RAG + few-shot: retrieve passages for the facts and keep a few examples for the answer format.',
            zh: 'RAG + 少样本：用检索提供事实，用几条示例约束回答格式。',
          }
        : undefined;
    case 'rag':
      if (is(a, 'format', 'strict') && hasManyExamples(a) && !is(a, 'ml-capacity', 'none')) {
        return {
          en: 'RAG + fine-tuning: fine-tune for the format and behaviour, retrieve for the knowledge, and include retrieved passages in the fine-tuning examples so the model learns to use them.',
          zh: 'RAG + 微调：用微调解决格式和行为，用检索提供知识，并把检索到的段落放进微调示例里，让模型学会利用它们。',
        };
      }
      if (is(a, 'format', 'strict', 'some') || is(a, 'examples', 'few', 'hundreds', 'thousands')) {
        return {
          en: 'RAG + few-shot: retrieved passages supply the facts, a few examples show the answer format.',
          zh: 'RAG + 少样本：检索到的段落提供事实，几条示例示范回答格式。',
        };
      }
      if (usesTools(a)) {
        return {
          en: 'RAG + a tool call: retrieve for the knowledge and let one function call handle the action.',
          zh: 'RAG + 工具调用：检索负责知识，一次函数调用负责操作。',
        };
      }
      return undefined;
    case 'agent':
      return hasPrivate(a)
        ? {
            en: 'Agent + RAG: give the agent a search tool over your documents, so its steps rest on your facts.',
            zh: '智能体 + RAG：给智能体一个检索你们文档的工具，让每一步都建立在你们的事实之上。',
          }
        : undefined;
    case 'fine-tune':
      return hasPrivate(a) || changesOften(a) || is(a, 'citations', 'required', 'preferred')
        ? {
            en: 'Fine-tuning + RAG: tune for behaviour and format, retrieve for facts that change or must be cited.',
            zh: '微调 + RAG：微调负责行为和格式，检索负责会变化或需要引用出处的事实。',
          }
        : undefined;
    case 'from-scratch':
      return {
        en: 'After pre-training, supervised fine-tuning and alignment make the model usable; RAG keeps its facts current.',
        zh: '预训练之后，还要经过监督微调和对齐才能实际使用；再用 RAG 保持事实的时效性。',
      };
  }
}

function byScoreThenSimplicity(x: RankedMethod, y: RankedMethod): number {
  return y.score - x.score || SIMPLICITY_ORDER.indexOf(x.method) - SIMPLICITY_ORDER.indexOf(y.method);
}

/**
 * Scores every method from the questionnaire answers, adds measured evidence when given, and ranks.
 * Pure: the same inputs always give the same output, in the same order.
 */
export function decide(answers: Answers, evidence?: readonly EvidenceStatement[]): Recommendation {
  const rows = new Map<ApproachId, RankedMethod>(
    SIMPLICITY_ORDER.map((m) => [m, { method: m, score: 0, reasons: [] }]),
  );
  for (const rule of RULES) {
    if (!rule.when(answers)) continue;
    const row = rows.get(rule.method)!;
    row.score += rule.points;
    row.reasons.push(rule.reason);
  }
  for (const adj of evidenceAdjustments(evidence ?? [])) {
    const row = rows.get(adj.method)!;
    row.score += adj.points;
    row.reasons.push(adj.reason);
  }
  const ranked = [...rows.values()].sort(byScoreThenSimplicity);
  const [first, second] = ranked;
  const top = first.method;

  const runnerUpRisks: L[] = [];
  const n1 = APPROACH_NAMES[top];
  const n2 = APPROACH_NAMES[second.method];
  if (first.score - second.score <= CLOSE_MARGIN) {
    runnerUpRisks.push({
      en: `Close call: ${n2.en} scored ${second.score} against ${first.score}. Run both on your own test set before committing.`,
      zh: spaceMixed(`两者差距很小：${n2.zh}得分 ${second.score}，对比 ${first.score}。请先在自己的测试集上把两种方法都跑一遍，再做决定。`),
    });
  } else {
    runnerUpRisks.push({
      en: `If ${n1.en} disappoints on your test set, try ${n2.en} next (score ${second.score} against ${first.score}).`,
      zh: spaceMixed(`如果${n1.zh}在你的测试集上表现不佳，下一步可以试试${n2.zh}（得分 ${second.score}，对比 ${first.score}）。`),
    });
  }
  for (const risk of RISKS) if (risk.method === top && risk.when(answers)) runnerUpRisks.push(risk.text);

  const combo = combination(answers, top);
  const combine =
    combo !== undefined
      ? { en: `${combo.en} ${PROMPT_STAYS.en}`, zh: `${combo.zh}${PROMPT_STAYS.zh}` }
      : top !== 'prompt'
        ? PROMPT_STAYS
        : undefined;

  return { ranked, top, runnerUpRisks, ...(combine ? { combine } : {}) };
}
