// Bilingual reference content for the decision guide (methods, comparison table, the two optimization
// axes, the recommended path) and the Markdown export of a recommendation. Written for this project in
// both languages; every text is an `L`, so a missing translation fails the type-check.

import type { Recommendation } from './decide';
import type { EvidenceStatement } from './evidence';
import { optionLabel, questions, type Answers } from './questions';
import { APPROACH_NAMES, SIMPLICITY_ORDER, type L, type Lang, type ApproachId } from './types';

export interface MethodVariant {
  name: L;
  text: L;
}

export interface MethodContent {
  key: ApproachId;
  name: L;
  tagline: L;
  summary: L;
  variants: readonly MethodVariant[];
  whenToUse: readonly L[];
  whenItFails: readonly L[];
}

export const METHODS: Readonly<Record<ApproachId, MethodContent>> = {
  prompt: {
    key: 'prompt',
    name: APPROACH_NAMES.prompt,
    tagline: {
      en: 'Tell the model clearly what you want.',
      zh: '把你想要的清清楚楚地告诉模型。',
    },
    summary: {
      en: 'Shape the answer with instructions alone: the task, the audience, the constraints and the output format. No data, no training, results in minutes. It is the first step of every project and stays part of every later one.',
      zh: '只靠指令来塑造回答：说明任务、受众、限制条件和输出格式。不需要数据，也不需要训练，几分钟就能看到效果。它是每个项目的第一步，也贯穿之后的每一步。',
    },
    variants: [
      {
        name: { en: 'Zero-shot', zh: '零样本' },
        text: {
          en: 'Just the instruction and the input. Surprisingly strong for tasks the model has seen many times: summarising, translating, rewriting.',
          zh: '只给指令和输入。对于模型见过很多次的任务（摘要、翻译、改写），效果往往出人意料地好。',
        },
      },
      {
        name: { en: 'Roles', zh: '角色设定' },
        text: {
          en: 'A system message that sets who the model is and who it talks to ("You are a support agent for…"). Steers tone and what it may say.',
          zh: '用系统消息设定模型的身份和对话对象（“你是某某公司的客服……”），以此控制语气和可说的内容范围。',
        },
      },
      {
        name: { en: 'Structured prompts', zh: '结构化提示词' },
        text: {
          en: 'Delimited sections for instructions, context and input; numbered steps; an explicit output schema; asking the model to reason step by step before answering.',
          zh: '用分隔符区分指令、上下文和输入；把步骤编号；明确给出输出结构；要求模型先逐步推理再作答。',
        },
      },
    ],
    whenToUse: [
      {
        en: 'Always first: it sets the baseline every other method must beat.',
        zh: '永远先做这一步：它定下了其他方法必须超越的基线。',
      },
      {
        en: 'General-knowledge tasks, conversation, drafting, rewriting.',
        zh: '通用知识类任务、对话、起草和改写文本。',
      },
      {
        en: 'When you need results today and have no data.',
        zh: '今天就要出结果、手上又没有数据的时候。',
      },
    ],
    whenItFails: [
      {
        en: 'It cannot add knowledge: private or recent facts get invented.',
        zh: '它无法补充知识：私有或最新的事实会被模型编造出来。',
      },
      {
        en: 'Strict formats and house styles drift; long instructions get partly ignored.',
        zh: '严格的格式和统一文风容易跑偏；指令一长，就有一部分会被忽略。',
      },
      {
        en: 'Brittle: a new model version or a small wording change can shift results.',
        zh: '比较脆弱：换个模型版本或改动一点措辞，结果就可能变化。',
      },
    ],
  },
  'few-shot': {
    key: 'few-shot',
    name: APPROACH_NAMES['few-shot'],
    tagline: {
      en: 'Show the model a few examples of what good looks like.',
      zh: '给模型看几个“好答案”的样子。',
    },
    summary: {
      en: 'Put a handful of input → ideal output pairs in the prompt. The model imitates them (in-context learning): format, tone, label set, level of detail. Nothing is trained; the examples travel with every request.',
      zh: '在提示词里放几组“输入 → 理想输出”的示例，模型会照着模仿（即上下文学习）：格式、语气、标签体系、详略程度都能学到。不需要训练，但每次请求都要带上这些示例。',
    },
    variants: [
      {
        name: { en: 'Fixed examples', zh: '固定示例' },
        text: {
          en: 'The same three to ten examples in every prompt, chosen to cover typical and tricky cases.',
          zh: '每次都使用同样的三到十条示例，挑选时兼顾典型情况和棘手情况。',
        },
      },
      {
        name: { en: 'Dynamic example selection', zh: '动态选取示例' },
        text: {
          en: 'Retrieve the examples most similar to the current question from a larger pool: retrieval applied to examples instead of documents.',
          zh: '从更大的示例库中检索与当前问题最相近的几条——相当于把检索用在示例上，而不是文档上。',
        },
      },
    ],
    whenToUse: [
      {
        en: 'The output must follow a format, label set or style that is easier to show than to describe.',
        zh: '输出要遵循某种格式、标签体系或文风，而且“示范”比“描述”更容易讲清楚。',
      },
      {
        en: 'You have a few dozen good examples, not the hundreds fine-tuning needs.',
        zh: '你有几十条好示例，但还达不到微调所需的几百条。',
      },
    ],
    whenItFails: [
      {
        en: 'Examples teach behaviour, not facts: missing knowledge stays missing.',
        zh: '示例教的是行为而不是事实：缺的知识依然缺。',
      },
      {
        en: 'Every example costs tokens on every request; gains flatten after a few dozen.',
        zh: '每条示例在每次请求中都要消耗 token；超过几十条后收益趋于平缓。',
      },
      {
        en: 'Biased or wrong examples are copied faithfully.',
        zh: '有偏差或有错误的示例，也会被模型原样照搬。',
      },
    ],
  },
  rag: {
    key: 'rag',
    name: APPROACH_NAMES.rag,
    tagline: {
      en: 'Look up the relevant passages and hand them to the model with the question.',
      zh: '先查到相关段落，再连同问题一起交给模型。',
    },
    summary: {
      en: 'Split your documents into chunks, index them, and for every question put the best-matching chunks into the prompt. The model answers from text it can see, can cite it, and is as current as your index.',
      zh: '把文档切成小块并建立索引；每次提问时，把最匹配的几块放进提示词。模型依据眼前的原文作答，可以注明出处，时效性也和索引保持一致。',
    },
    variants: [
      {
        name: { en: 'Simple retrieval', zh: '基础检索' },
        text: {
          en: 'Embed the question, take the top-k most similar chunks, answer from them. Start here.',
          zh: '把问题向量化，取最相似的前 k 个分块，据此作答。从这里起步。',
        },
      },
      {
        name: { en: 'Hybrid search', zh: '混合检索' },
        text: {
          en: 'Combine keyword search (BM25) with vector search, for example by reciprocal rank fusion. Catches exact names, codes and numbers that embeddings blur.',
          zh: '把关键词检索（BM25）和向量检索结合起来，例如用倒数排名融合（RRF）。能找回向量检索容易模糊掉的专有名称、编号和数字。',
        },
      },
      {
        name: { en: 'Reranking', zh: '重排序' },
        text: {
          en: 'Retrieve generously, then let a cross-encoder reorder the candidates by true relevance and keep only the best few.',
          zh: '先宽松地多召回一些候选，再用交叉编码器按真实相关性重新排序，只保留最好的几条。',
        },
      },
      {
        name: { en: 'HyDE', zh: 'HyDE（假设文档嵌入）' },
        text: {
          en: 'Let the model write a hypothetical answer first and search with that: it often resembles the real passage more than the short question does.',
          zh: '先让模型写一个假设性的答案，再用它去检索：它往往比简短的问题更像真正的原文段落。',
        },
      },
      {
        name: { en: 'Fact-checking', zh: '事实核查' },
        text: {
          en: 'After answering, check each claim against the retrieved passages and flag or drop the unsupported ones.',
          zh: '生成回答后，逐条对照检索到的段落核查其中的说法，标出或删除没有依据的内容。',
        },
      },
    ],
    whenToUse: [
      {
        en: 'Answers depend on private, proprietary or recent documents.',
        zh: '答案依赖私有、专有或较新的文档。',
      },
      {
        en: 'Knowledge changes monthly or faster.',
        zh: '知识每月甚至更频繁地更新。',
      },
      {
        en: 'Answers must cite their sources.',
        zh: '回答必须注明出处。',
      },
    ],
    whenItFails: [
      {
        en: 'It cannot help with tasks that are not about knowledge: style, summary format, tone, API calls.',
        zh: '对与知识无关的任务无能为力：文风、摘要格式、语气、API 调用都帮不上忙。',
      },
      {
        en: 'If the right passage is not retrieved, the answer cannot be right: retrieval quality is the ceiling.',
        zh: '如果没检索到正确段落，答案就不可能对：检索质量就是上限。',
      },
      {
        en: 'Questions that need the whole corpus at once ("what are the main themes?") fit poorly into top-k chunks.',
        zh: '需要通览全部语料的问题（比如“主要主题有哪些？”）很难靠前 k 个分块回答。',
      },
    ],
  },
  'fine-tune': {
    key: 'fine-tune',
    name: APPROACH_NAMES['fine-tune'],
    tagline: {
      en: 'Train an existing model further on your examples.',
      zh: '在现有模型的基础上，用你的示例继续训练。',
    },
    summary: {
      en: 'Update the weights of a pre-trained model with your data, so the behaviour you want becomes the default: a format, a style, a classification, a domain vocabulary. Best for how the model must act, weak for what it must know.',
      zh: '用你的数据更新预训练模型的权重，让你想要的行为成为它的默认表现：某种格式、文风、分类方式或领域术语。擅长解决“模型该怎么做”，不擅长解决“模型该知道什么”。',
    },
    variants: [
      {
        name: { en: 'Full fine-tuning', zh: '全参数微调' },
        text: {
          en: 'Update every weight. Most capacity to change, most GPU memory, and the highest risk of forgetting what the model knew.',
          zh: '更新全部权重。改变模型的能力最强，占用的 GPU 显存最多，遗忘原有能力的风险也最高。',
        },
      },
      {
        name: { en: 'Parameter-efficient: LoRA / QLoRA', zh: '参数高效微调：LoRA / QLoRA' },
        text: {
          en: 'Train small adapter matrices next to frozen weights (QLoRA: on a 4-bit quantised base). A single GPU is often enough, and adapters are small files you can swap.',
          zh: '冻结原有权重，只训练旁挂的小型适配器矩阵（QLoRA 则在 4 比特量化的基础模型上训练）。通常一块 GPU 就够，适配器文件很小，还可以随时切换。',
        },
      },
      {
        name: { en: 'Continued pre-training vs supervised fine-tuning vs alignment', zh: '继续预训练、监督微调与对齐' },
        text: {
          en: 'Continued pre-training feeds raw domain text to teach vocabulary and style; supervised fine-tuning (SFT) teaches input → output behaviour from labelled pairs; alignment (preference tuning such as DPO or RLHF) teaches which of two answers people prefer.',
          zh: '继续预训练用大量原始领域文本来学习词汇和文风；监督微调（SFT）用标注好的输入输出对来教具体行为；对齐（如 DPO、RLHF 等偏好训练）则教模型在两个答案中选出人们更喜欢的那个。',
        },
      },
      {
        name: { en: 'Base model or chat model?', zh: '从基础模型还是对话模型开始？' },
        text: {
          en: 'Start from the chat (instruct) model for SFT on tasks and dialogue: it already follows instructions. Start from the base model for continued pre-training or a very different output distribution, then add SFT and alignment yourself.',
          zh: '针对任务或对话做监督微调时，从对话（指令）模型开始，它已经会听从指令；要做继续预训练、或者输出分布差异很大时，从基础模型开始，之后自己补上监督微调和对齐。',
        },
      },
      {
        name: { en: 'Fine-tune, then compare (in Method Lab)', zh: '先微调，再比较（在 Method Lab 中）' },
        text: {
          en: 'On the Evaluate screen, hold out 30% of your test set, then export the rest as training data for LLaMA-Factory, ms-swift or OpenAI (with RAFT, each example shows its gold passage among retrieved distractors). Fine-tune a 0.5B model with LoRA (llamafactory-cli train, swift sft or Unsloth), merge it and convert it to GGUF (llama.cpp, Q8_0) or ONNX (optimum-cli), add the file on Models & Storage, and run the held-out questions on "fine-tuned · plain", "base · RAG" and "fine-tuned · RAG". The README lists the exact commands.',
          zh: '在“评测”页面先留出测试集的 30%，再把其余部分导出为 LLaMA-Factory、ms-swift 或 OpenAI 格式的训练数据（启用 RAFT 时，每个样本会把标准段落放在检索到的干扰段落中间）。用 LoRA 微调一个 0.5B 模型（llamafactory-cli train、swift sft 或 Unsloth），合并后转换为 GGUF（llama.cpp，Q8_0）或 ONNX（optimum-cli），在“模型与存储”页面添加该文件，然后在留出的问题上运行“微调 · 普通提示”“基础 · RAG”和“微调 · RAG”。具体命令见 README。',
        },
      },
    ],
    whenToUse: [
      {
        en: 'A strict, stable format or behaviour with hundreds or thousands of examples.',
        zh: '有严格而稳定的格式或行为要求，并且有几百到几千条示例。',
      },
      {
        en: 'Strict latency or cost: a small tuned model can replace a large model with a long prompt.',
        zh: '延迟或成本要求严格：微调后的小模型可以替代“大模型 + 长提示词”。',
      },
      {
        en: 'A large domain corpus whose vocabulary the model handles poorly (continued pre-training).',
        zh: '拥有大量领域语料，而模型对其中的术语掌握不好（适合继续预训练）。',
      },
    ],
    whenItFails: [
      {
        en: 'Poor for frequently updated facts: every change means retraining, and old facts linger.',
        zh: '不适合频繁更新的事实：每次变化都要重新训练，旧知识还会残留。',
      },
      {
        en: 'It does not stop hallucination; it can make the model confidently wrong.',
        zh: '它不能消除幻觉，甚至可能让模型错得更加自信。',
      },
      {
        en: 'Needs clean labelled data, training skills and a way to serve custom weights; can erode general abilities.',
        zh: '需要干净的标注数据、训练经验以及部署自定义权重的能力；还可能削弱模型的通用能力。',
      },
    ],
  },
  'from-scratch': {
    key: 'from-scratch',
    name: APPROACH_NAMES['from-scratch'],
    tagline: {
      en: 'Pre-train a new model on your own corpus.',
      zh: '用自己的语料预训练一个全新的模型。',
    },
    summary: {
      en: 'Build the tokenizer, pre-train on billions of tokens, then fine-tune and align. Justified only when no existing model knows the language or domain and continued pre-training of an open model is not enough.',
      zh: '自己构建分词器，在数十亿 token 上做预训练，然后再做微调和对齐。只有当现有模型都不懂这门语言或这个领域、而在开源模型上继续预训练又不够用时，才值得这样做。',
    },
    variants: [
      {
        name: { en: 'Pre-training pipeline', zh: '预训练流程' },
        text: {
          en: 'Collect and clean the corpus, train a tokenizer, run distributed pre-training, then supervised fine-tuning and alignment before anyone can use it.',
          zh: '收集并清洗语料、训练分词器、进行分布式预训练，之后还要做监督微调和对齐，才能交给用户使用。',
        },
      },
      {
        name: { en: 'Small specialised models', zh: '小型专用模型' },
        text: {
          en: 'A compact model for one narrow language or notation can be cheaper to train than people expect, if the corpus is clean.',
          zh: '如果语料干净，针对某种小语种或专门记法训练一个紧凑模型，成本可能比想象中低。',
        },
      },
    ],
    whenToUse: [
      {
        en: 'A language or domain no model knows, a huge corpus, and a team with GPUs.',
        zh: '面对一门现有模型都不懂的语言或领域，同时拥有海量语料和配备 GPU 的团队。',
      },
      {
        en: 'Full control over data provenance and licensing is a requirement.',
        zh: '必须完全掌控数据来源和许可的情况。',
      },
    ],
    whenItFails: [
      {
        en: 'Needs data, money and time few organisations have: billions of tokens, many GPU-weeks, months of work.',
        zh: '需要很少有组织具备的数据、资金和时间：数十亿 token、大量 GPU 周、数月的工作。',
      },
      {
        en: 'Usually trails mature open models, which were trained on far more data.',
        zh: '效果通常不如成熟的开源模型，毕竟它们的训练数据要多得多。',
      },
    ],
  },
  agent: {
    key: 'agent',
    name: APPROACH_NAMES.agent,
    tagline: {
      en: 'Let the model call tools and act in several steps.',
      zh: '让模型调用工具，分多步完成任务。',
    },
    summary: {
      en: 'Give the model tool descriptions (APIs, search, code execution) and a loop: it decides on a call, your code runs it, the result goes back into the context, until the task is done. This is how a model acts rather than only answers.',
      zh: '给模型提供工具说明（API、检索、代码执行等）和一个循环：模型决定调用什么，你的代码去执行，结果再放回上下文，如此往复直到任务完成。这样模型就不只是回答问题，而是真正去做事。',
    },
    variants: [
      {
        name: { en: 'Tool use (function calling)', zh: '工具调用（函数调用）' },
        text: {
          en: 'The model emits a structured call with arguments; your code validates and runs it. One call is often all a task needs.',
          zh: '模型输出带参数的结构化调用，由你的代码校验后执行。很多任务只需要调用一次。',
        },
      },
      {
        name: { en: 'Multi-step chains', zh: '多步链式执行' },
        text: {
          en: 'Plan, act, observe, repeat: the model breaks the task down and uses each result to choose the next step. Retrieval is often one of the tools.',
          zh: '规划、执行、观察、再循环：模型拆解任务，并根据每一步的结果决定下一步。检索往往也是其中一个工具。',
        },
      },
    ],
    whenToUse: [
      {
        en: 'The task must act: book, order, query live systems, run code.',
        zh: '任务需要实际操作：预订、下单、查询实时系统、运行代码。',
      },
      {
        en: 'Data is live and better fetched at request time than indexed.',
        zh: '数据是实时的，与其预先建索引，不如在请求时直接获取。',
      },
    ],
    whenItFails: [
      {
        en: 'Errors compound across steps; small models lose track of long chains.',
        zh: '错误会在步骤之间累积；小模型在长链条中容易迷失方向。',
      },
      {
        en: 'Several model calls per task: slow and costly, and hard to test exhaustively.',
        zh: '每个任务要调用多次模型：又慢又贵，也很难测试周全。',
      },
      {
        en: 'Irreversible actions need guards and human confirmation.',
        zh: '不可撤销的操作需要防护措施和人工确认。',
      },
    ],
  },
};

// ── Comparison table ──────────────────────────────────────────────────────────────────────────────

export type DimensionKey =
  | 'accuracy'
  | 'complexity'
  | 'effort'
  | 'total-cost'
  | 'flexibility'
  | 'fresh-knowledge'
  | 'explainability'
  | 'request-cost'
  | 'data-needed'
  | 'hallucination-risk';

export type Rating = 1 | 2 | 3 | 4 | 5;

export interface Dimension {
  key: DimensionKey;
  label: L;
  help: L;
  /** What a rating of 5 means on this dimension. */
  fiveMeans: L;
  /** Whether a high rating is desirable, so the UI can colour cells without guessing. */
  better: 'higher' | 'lower';
}

export interface ComparisonCell {
  rating: Rating;
  note: L;
}

export const DIMENSIONS: readonly Dimension[] = [
  {
    key: 'accuracy',
    label: { en: 'Accuracy', zh: '准确性' },
    help: {
      en: 'How good the answers can get on the problem the method is meant for.',
      zh: '在该方法适用的问题上，回答能达到的最好水平。',
    },
    fiveMeans: { en: 'highest', zh: '最高' },
    better: 'higher',
  },
  {
    key: 'complexity',
    label: { en: 'Implementation complexity', zh: '实现复杂度' },
    help: {
      en: 'How many moving parts you have to build and keep working.',
      zh: '需要搭建并维护多少个组成部分。',
    },
    fiveMeans: { en: 'most complex', zh: '最复杂' },
    better: 'lower',
  },
  {
    key: 'effort',
    label: { en: 'Effort', zh: '投入工作量' },
    help: {
      en: 'People time until the first good result.',
      zh: '到拿出第一个好结果为止，需要投入的人力时间。',
    },
    fiveMeans: { en: 'most effort', zh: '工作量最大' },
    better: 'lower',
  },
  {
    key: 'total-cost',
    label: { en: 'Total cost', zh: '总成本' },
    help: {
      en: 'People, compute and maintenance over the life of the system.',
      zh: '系统整个生命周期内的人力、算力和维护成本。',
    },
    fiveMeans: { en: 'most expensive', zh: '最贵' },
    better: 'lower',
  },
  {
    key: 'flexibility',
    label: { en: 'Flexibility', zh: '灵活性' },
    help: {
      en: 'How easily you can swap the model, the data or other components.',
      zh: '更换模型、数据或其他组件的难易程度。',
    },
    fiveMeans: { en: 'most flexible', zh: '最灵活' },
    better: 'higher',
  },
  {
    key: 'fresh-knowledge',
    label: { en: 'Fit for changing knowledge', zh: '适应知识更新' },
    help: {
      en: 'How well answers keep up when the underlying facts change often.',
      zh: '底层事实频繁变化时，回答能否及时跟上。',
    },
    fiveMeans: { en: 'keeps up best', zh: '最能跟上' },
    better: 'higher',
  },
  {
    key: 'explainability',
    label: { en: 'Explainability and citations', zh: '可解释性与出处' },
    help: {
      en: 'Whether you can see where an answer came from.',
      zh: '能否看出一个回答是从哪里来的。',
    },
    fiveMeans: { en: 'most traceable', zh: '最可追溯' },
    better: 'higher',
  },
  {
    key: 'request-cost',
    label: { en: 'Latency and token cost per request', zh: '单次请求的延迟与 token 成本' },
    help: {
      en: 'Prompt length and number of model calls behind each answer.',
      zh: '每个回答背后的提示词长度和模型调用次数。',
    },
    fiveMeans: { en: 'slowest and most tokens', zh: '最慢、token 最多' },
    better: 'lower',
  },
  {
    key: 'data-needed',
    label: { en: 'Data needed', zh: '所需数据' },
    help: {
      en: 'What you must collect or label before the method works.',
      zh: '方法生效之前需要收集或标注的数据。',
    },
    fiveMeans: { en: 'most data', zh: '数据需求最大' },
    better: 'lower',
  },
  {
    key: 'hallucination-risk',
    label: { en: 'Hallucination risk', zh: '幻觉风险' },
    help: {
      en: 'How likely the model is to state things that are not true.',
      zh: '模型说出不实内容的可能性。',
    },
    fiveMeans: { en: 'highest risk', zh: '风险最高' },
    better: 'lower',
  },
];

const c = (rating: Rating, en: string, zh: string): ComparisonCell => ({ rating, note: { en, zh } });

export const COMPARISON: Readonly<Record<ApproachId, Readonly<Record<DimensionKey, ComparisonCell>>>> = {
  prompt: {
    accuracy: c(2, 'Good on general tasks; limited by what the model knows.', '通用任务上表现不错，但受限于模型已有的知识。'),
    complexity: c(1, 'Text in, text out.', '输入文本，输出文本，仅此而已。'),
    effort: c(1, 'Hours.', '几个小时。'),
    'total-cost': c(1, 'No infrastructure beyond the model.', '除了模型本身，不需要任何额外基础设施。'),
    flexibility: c(5, 'Change wording or model at any time.', '措辞和模型随时都能换。'),
    'fresh-knowledge': c(1, 'Frozen at the model’s training cutoff.', '停留在模型训练截止的时间点。'),
    explainability: c(1, 'No sources; answers come from opaque weights.', '没有出处，答案来自不透明的模型权重。'),
    'request-cost': c(1, 'The shortest prompt, one call.', '提示词最短，只调用一次。'),
    'data-needed': c(1, 'None, apart from a test set to check it.', '除了用于检验的测试集，不需要任何数据。'),
    'hallucination-risk': c(4, 'Fills gaps with plausible guesses.', '遇到知识空白就用似是而非的猜测来填补。'),
  },
  'few-shot': {
    accuracy: c(3, 'Examples lift consistency and format-following.', '示例能明显提升一致性和格式遵循度。'),
    complexity: c(2, 'Store examples; optionally select them per question.', '需要保存示例，也可以按问题动态挑选。'),
    effort: c(2, 'Days to collect and curate good examples.', '收集和整理好示例需要几天。'),
    'total-cost': c(2, 'Cheap; the cost is extra tokens per call.', '很便宜，代价只是每次调用多出的 token。'),
    flexibility: c(5, 'Swap examples or model freely.', '示例和模型都能随意更换。'),
    'fresh-knowledge': c(1, 'Examples do not carry changing facts.', '示例无法承载不断变化的事实。'),
    explainability: c(2, 'Examples show intent, but facts have no source.', '示例能体现意图，但事实依然没有出处。'),
    'request-cost': c(2, 'Examples add hundreds to thousands of tokens.', '示例会增加几百到几千个 token。'),
    'data-needed': c(2, 'A handful to a few dozen good examples.', '几条到几十条高质量示例。'),
    'hallucination-risk': c(4, 'Same knowledge gaps as plain prompting.', '知识空白和直接提问一样存在。'),
  },
  rag: {
    accuracy: c(4, 'High on knowledge questions when retrieval finds the passage.', '只要检索到正确段落，知识类问题的准确性就很高。'),
    complexity: c(3, 'Extraction, chunking, embeddings, index, search.', '涉及文本提取、分块、向量化、索引和检索。'),
    effort: c(3, 'Weeks to build and tune retrieval.', '搭建和调优检索需要几周。'),
    'total-cost': c(3, 'Index storage, document pipeline upkeep.', '需要存储索引，并持续维护文档处理流程。'),
    flexibility: c(4, 'Swap model, embedder or documents independently.', '模型、向量模型和文档都可以各自独立替换。'),
    'fresh-knowledge': c(5, 'Re-index, and the next answer uses the new facts.', '重新建索引后，下一个回答就能用上新事实。'),
    explainability: c(5, 'Every answer can cite its passages.', '每个回答都能注明所依据的段落。'),
    'request-cost': c(3, 'A search step plus several passages per prompt.', '多一次检索，提示词里还要加入好几段原文。'),
    'data-needed': c(3, 'Your documents, plus questions to evaluate retrieval.', '需要你的文档，以及用来评估检索的问题集。'),
    'hallucination-risk': c(2, 'Grounded in retrieved text; still possible when retrieval misses.', '回答以检索到的原文为依据；但检索失误时仍可能出现幻觉。'),
  },
  'fine-tune': {
    accuracy: c(4, 'High on narrow, stable tasks with enough data.', '在范围明确、稳定且数据充足的任务上准确性很高。'),
    complexity: c(4, 'Data preparation, training, evaluation, serving custom weights.', '需要数据准备、训练、评估，以及部署自定义权重。'),
    effort: c(4, 'Weeks of labelling and training iterations.', '标注和反复训练需要数周。'),
    'total-cost': c(4, 'GPU time, retraining, hosting a custom model.', 'GPU 算力、反复训练，以及托管自定义模型的费用。'),
    flexibility: c(2, 'Tied to one base model; a new base means retraining.', '绑定在某一个基础模型上，换模型就得重新训练。'),
    'fresh-knowledge': c(1, 'Facts frozen at training time; each change needs retraining.', '事实在训练时就固定了，每次变化都要重新训练。'),
    explainability: c(1, 'Cannot say where a fact came from.', '说不清某个事实从何而来。'),
    'request-cost': c(1, 'Short prompts; a small tuned model can be fastest.', '提示词很短，微调后的小模型可能是最快的方案。'),
    'data-needed': c(4, 'Hundreds to thousands of labelled examples.', '几百到几千条标注示例。'),
    'hallucination-risk': c(3, 'Does not stop hallucination; may add confidence to errors.', '不能消除幻觉，甚至可能让错误显得更有把握。'),
  },
  'from-scratch': {
    accuracy: c(3, 'Can excel in an unserved language; rarely beats mature models elsewhere.', '在没人覆盖的语言上可能表现出色，其他方面很少能胜过成熟模型。'),
    complexity: c(5, 'Tokenizer, data pipeline, distributed training, then SFT and alignment.', '分词器、数据流水线、分布式训练，之后还有监督微调和对齐。'),
    effort: c(5, 'Months, and a dedicated team.', '需要数月时间和专门的团队。'),
    'total-cost': c(5, 'Large GPU budgets and specialist staff.', '巨额 GPU 预算和专业人才。'),
    flexibility: c(1, 'Every change means another expensive training run.', '任何改动都意味着又一次昂贵的训练。'),
    'fresh-knowledge': c(1, 'Frozen at training time, like any model.', '和所有模型一样，知识在训练时就固定了。'),
    explainability: c(1, 'No citations unless combined with retrieval.', '除非结合检索，否则无法提供出处。'),
    'request-cost': c(2, 'Depends on size; a narrow model can be small and fast.', '取决于模型规模；专用模型可以做得又小又快。'),
    'data-needed': c(5, 'Billions of tokens of clean text.', '数十亿 token 的干净文本。'),
    'hallucination-risk': c(4, 'Home-grown models hallucinate readily without grounding.', '自研模型在没有依据时很容易产生幻觉。'),
  },
  agent: {
    accuracy: c(3, 'Solves tasks others cannot, but errors compound over steps.', '能完成其他方法做不到的任务，但错误会逐步累积。'),
    complexity: c(4, 'Tool schemas, a control loop, error handling, guards.', '工具定义、控制循环、错误处理和安全防护。'),
    effort: c(4, 'Weeks, mostly spent on failure cases.', '需要数周，大部分时间花在处理失败情况上。'),
    'total-cost': c(3, 'Many calls per task, plus monitoring.', '每个任务调用多次，还需要持续监控。'),
    flexibility: c(3, 'Tools and model are swappable, but prompts and tool schemas are tuned together.', '工具和模型可以替换，但提示词和工具定义是相互配合调好的。'),
    'fresh-knowledge': c(5, 'Tools fetch live data at request time.', '工具在请求时实时获取数据。'),
    explainability: c(4, 'The trace of tool calls shows each step and its data.', '工具调用记录清楚展示了每一步及其数据。'),
    'request-cost': c(5, 'Several model and tool calls per task.', '每个任务都要多次调用模型和工具。'),
    'data-needed': c(2, 'Tool definitions and test tasks.', '工具定义和一批测试任务。'),
    'hallucination-risk': c(3, 'Tool results ground answers, but a wrong step propagates.', '工具结果能为回答提供依据，但一步出错就会往下传递。'),
  },
};

// ── The two axes ──────────────────────────────────────────────────────────────────────────────────

export interface Axis {
  label: L;
  help: L;
}

export const AXES: Readonly<{ x: Axis; y: Axis }> = {
  x: {
    label: { en: 'Context optimization: what the model needs to know', zh: '上下文优化：模型需要知道什么' },
    help: {
      en: 'Move right when the model lacks knowledge: private, recent or domain facts.',
      zh: '模型缺少知识（私有、最新或领域事实）时，往右走。',
    },
  },
  y: {
    label: { en: 'LLM optimization: how the model needs to act', zh: '模型优化：模型需要怎样表现' },
    help: {
      en: 'Move up when the model knows enough but behaves wrongly: format, style, consistency, reasoning steps.',
      zh: '模型知识够用但表现不对（格式、文风、一致性、推理步骤）时，往上走。',
    },
  },
};

export interface ChartPoint {
  /** Context optimization, 0–1. */
  x: number;
  /** Behaviour (LLM) optimization, 0–1. */
  y: number;
  caption: L;
}

export const METHOD_POSITIONS: Readonly<Record<ApproachId, ChartPoint>> = {
  prompt: {
    x: 0.1,
    y: 0.1,
    caption: { en: 'The starting point for everything.', zh: '一切的起点。' },
  },
  'few-shot': {
    x: 0.25,
    y: 0.4,
    caption: {
      en: 'Mostly behaviour: examples show how to answer.',
      zh: '主要作用于行为：示例演示该怎么回答。',
    },
  },
  rag: {
    x: 0.85,
    y: 0.2,
    caption: {
      en: 'Mostly context: gives the model the facts it lacks.',
      zh: '主要作用于上下文：为模型补上它缺的事实。',
    },
  },
  'fine-tune': {
    x: 0.3,
    y: 0.85,
    caption: {
      en: 'Mostly behaviour: bakes format and style into the weights.',
      zh: '主要作用于行为：把格式和文风固化进权重。',
    },
  },
  'from-scratch': {
    x: 0.7,
    y: 1,
    caption: {
      en: 'Both, at the highest cost: knowledge and behaviour from your own corpus.',
      zh: '两者兼顾，代价也最高：知识和行为都来自你自己的语料。',
    },
  },
  agent: {
    x: 0.65,
    y: 0.6,
    caption: {
      en: 'Both: tools fetch context, the loop structures behaviour.',
      zh: '两者兼顾：工具获取上下文，循环规范行为。',
    },
  },
};

export const COMBINATION_POSITIONS: readonly (ChartPoint & { id: string; label: L })[] = [
  {
    id: 'rag+few-shot',
    label: { en: 'RAG + few-shot', zh: 'RAG + 少样本' },
    x: 0.85,
    y: 0.45,
    caption: {
      en: 'Facts from retrieval, answer format from examples.',
      zh: '事实来自检索，回答格式来自示例。',
    },
  },
  {
    id: 'rag+fine-tune',
    label: { en: 'RAG + fine-tuning', zh: 'RAG + 微调' },
    x: 0.9,
    y: 0.9,
    caption: {
      en: 'Where most demanding systems end up: both axes optimized.',
      zh: '要求最高的系统大多走到这里：两个方向都做了优化。',
    },
  },
];

// ── The recommended path ──────────────────────────────────────────────────────────────────────────

export interface PathStep {
  step: number;
  method: ApproachId;
  title: L;
  text: L;
  /** What to measure before moving to the next step. */
  evaluate: L;
}

export const OPTIMIZATION_PATH: readonly PathStep[] = [
  {
    step: 1,
    method: 'prompt',
    title: { en: 'Prompt engineering', zh: '提示词工程' },
    text: {
      en: 'Write a clear, structured prompt. Build a small test set of questions with reference answers first: it is what every later step is measured on.',
      zh: '写出清晰、结构化的提示词。先建一个带参考答案的小测试集——之后的每一步都要靠它来衡量。',
    },
    evaluate: {
      en: 'Baseline F1 on the test set; note which failures are missing knowledge and which are wrong behaviour.',
      zh: '记录测试集上的基线 F1；区分哪些错误是缺知识，哪些是行为不对。',
    },
  },
  {
    step: 2,
    method: 'few-shot',
    title: { en: 'Few-shot examples', zh: '少样本示例' },
    text: {
      en: 'If the format or behaviour is off, add a few good examples to the prompt.',
      zh: '如果格式或行为不对，在提示词中加入几条好示例。',
    },
    evaluate: {
      en: 'Did format-related errors drop? What did the extra tokens cost?',
      zh: '格式类错误减少了吗？多出来的 token 花了多少成本？',
    },
  },
  {
    step: 3,
    method: 'rag',
    title: { en: 'Simple retrieval', zh: '基础检索' },
    text: {
      en: 'If the model lacks knowledge, retrieve the top-k passages from your documents and put them in the prompt.',
      zh: '如果模型缺知识，就从你的文档中检索前 k 个段落，放进提示词。',
    },
    evaluate: {
      en: 'Retrieval recall@k first, then answer F1: a miss in retrieval cannot be fixed by the model.',
      zh: '先看检索召回率（recall@k），再看回答的 F1：检索漏掉的内容，模型也无从弥补。',
    },
  },
  {
    step: 4,
    method: 'fine-tune',
    title: { en: 'Fine-tuning', zh: '微调' },
    text: {
      en: 'If behaviour is still inconsistent and you have hundreds of examples, fine-tune (LoRA is usually enough).',
      zh: '如果行为仍不稳定，而且你已有几百条示例，就做微调（通常 LoRA 就够了）。',
    },
    evaluate: {
      en: 'Compare against the best prompt on a held-out test set the model never trained on.',
      zh: '在模型从未训练过的独立测试集上，与最佳提示词方案对比。',
    },
  },
  {
    step: 5,
    method: 'rag',
    title: { en: 'Advanced retrieval', zh: '进阶检索' },
    text: {
      en: 'Hybrid search, reranking, HyDE, and fact-checking of answers against the retrieved passages.',
      zh: '采用混合检索、重排序、HyDE，并对照检索到的段落对回答做事实核查。',
    },
    evaluate: {
      en: 'Recall@k, answer F1 and groundedness: each addition must earn its latency.',
      zh: '看 recall@k、回答 F1 和有据率：每项新增功能都要对得起它带来的延迟。',
    },
  },
  {
    step: 6,
    method: 'fine-tune',
    title: { en: 'Retrieval-aware fine-tuning', zh: '结合检索的微调' },
    text: {
      en: 'Add retrieved passages to the fine-tuning examples, so the tuned model learns to answer from context and to say when the context does not contain the answer.',
      zh: '把检索到的段落加进微调示例，让微调后的模型学会依据上下文作答，并在上下文里找不到答案时如实说明。',
    },
    evaluate: {
      en: 'End-to-end F1 and groundedness against step 5, on the same test set.',
      zh: '在同一测试集上，对比第 5 步的端到端 F1 和有据率。',
    },
  },
];

export const PATH_PRINCIPLES: readonly L[] = [
  {
    en: 'Evaluate at every step, on the same test set, before moving on. Stop as soon as the results are good enough.',
    zh: '每一步都要在同一套测试集上评估，然后再往下走。结果一旦够用，就停下来。',
  },
  {
    en: 'Prompt engineering stays part of every step: retrieval, examples and fine-tuning all still run behind a carefully written prompt.',
    zh: '提示词工程贯穿每一步：无论检索、示例还是微调，前面始终要有一份精心编写的提示词。',
  },
  {
    en: 'Move along the axis your errors point to: missing knowledge → context; wrong behaviour → the model.',
    zh: '顺着错误指向的方向走：缺知识就优化上下文，行为不对就优化模型。',
  },
];

// ── Markdown export ───────────────────────────────────────────────────────────────────────────────

const MD = {
  title: { en: 'Recommendation', zh: '推荐方案' },
  why: { en: 'Why', zh: '理由' },
  combine: { en: 'Combine', zh: '组合使用' },
  risks: { en: 'Risks and the runner-up', zh: '风险与备选方案' },
  ranking: { en: 'Ranking', zh: '排名' },
  method: { en: 'Method', zh: '方法' },
  score: { en: 'Score', zh: '得分' },
  evidence: { en: 'Evidence from your evaluation', zh: '来自你的评测的证据' },
  noEvidence: { en: 'No evaluation runs were taken into account.', zh: '尚未纳入任何评估结果。' },
  runs: { en: 'runs', zh: '运行记录' },
  answers: { en: 'Your answers', zh: '你的回答' },
  principles: { en: 'Principles', zh: '原则' },
  good: { en: 'supports', zh: '支持' },
  info: { en: 'note', zh: '提示' },
  warn: { en: 'caution', zh: '注意' },
} satisfies Record<string, L>;

/** Keeps user-influenced text (run ids, model names) from breaking a table row or a line. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/**
 * The recommendation as a Markdown document in one language: the pick with its reasons, how to
 * combine it, risks, the full ranking, the measured evidence with run ids, and the answers behind it.
 */
export function toMarkdown(
  rec: Recommendation,
  statements: readonly EvidenceStatement[],
  answers: Answers,
  lang: Lang,
): string {
  const t = (l: L) => l[lang];
  const colon = lang === 'zh' ? '：' : ': ';
  const top = rec.ranked.find((r) => r.method === rec.top);
  const lines: string[] = [];

  lines.push(`# ${t(MD.title)}${colon}${t(METHODS[rec.top].name)}`, '', t(METHODS[rec.top].tagline), '');
  lines.push(`## ${t(MD.why)}`, '');
  for (const r of top?.reasons ?? []) lines.push(`- ${cell(t(r))}`);
  lines.push('');
  if (rec.combine) lines.push(`## ${t(MD.combine)}`, '', t(rec.combine), '');
  if (rec.runnerUpRisks.length > 0) {
    lines.push(`## ${t(MD.risks)}`, '');
    for (const r of rec.runnerUpRisks) lines.push(`- ${cell(t(r))}`);
    lines.push('');
  }

  lines.push(`## ${t(MD.ranking)}`, '', `| # | ${t(MD.method)} | ${t(MD.score)} |`, '|---|---|---|');
  rec.ranked.forEach((r, i) => lines.push(`| ${i + 1} | ${cell(t(METHODS[r.method].name))} | ${r.score} |`));
  lines.push('');

  lines.push(`## ${t(MD.evidence)}`, '');
  if (statements.length === 0) lines.push(t(MD.noEvidence));
  for (const s of statements) {
    lines.push(`- **${t(MD[s.severity])}${colon.trim()}** ${cell(t(s.text))}`);
    lines.push(`  - ${cell(t(s.uncertainty))}`);
    if (s.runIds.length > 0) lines.push(`  - ${t(MD.runs)}${colon}${s.runIds.map((id) => '`' + cell(id).replace(/`/g, '') + '`').join(', ')}`);
  }
  lines.push('');

  const answered = questions.filter((q) => answers[q.id] !== undefined);
  if (answered.length > 0) {
    lines.push(`## ${t(MD.answers)}`, '');
    for (const q of answered) {
      const value = answers[q.id] ?? '';
      const label = optionLabel(q.id, value);
      lines.push(`- ${t(q.label)} **${label ? t(label) : cell(value)}**`);
    }
    lines.push('');
  }

  lines.push(`## ${t(MD.principles)}`, '');
  for (const p of PATH_PRINCIPLES) lines.push(`- ${t(p)}`);
  lines.push('');
  return lines.join('\n');
}

/** Methods in simplicity order, for tables and charts that must not reorder with scores. */
export const METHOD_KEYS: readonly ApproachId[] = SIMPLICITY_ORDER;
