// 实际运行了什么：每个通道、评测条目和检索结果下的一行摘要，某部分没运行的原因，以及不带它继续的选择。
import type { ran as en } from '../en/ran';
export const ran: Record<keyof typeof en, string> = {
  'ran.retrieval': "检索：{parts}",
  'ran.retrievalOnly': "检索：仅 {parts} — {reasons}",
  'ran.part.bm25': "BM25",
  'ran.part.dense': "向量",
  'ran.part.rerank': "重排序",
  'ran.none': "无",
  'ran.vectors': "{chunks} 个文本块中 {vectors} 个有向量（{model}）",
  'ran.model': "模型：{model} · {engine} · {where}",
  'ran.modelFallback': "模型：{model} · {engine} · {where} — 未按设置运行：{reason}",
  'ran.onServer': '服务器 · {host}',
  'ran.why.no-embedder': "没有加载嵌入模型",
  'ran.why.no-vectors': "还没有任何文本块有 {model} 的向量",
  'ran.why.embedder-failed': "嵌入模型 {model} 加载失败",
  'ran.why.no-reranker': "重排序模型没有加载",
  'ran.why.reranker-failed': "重排序模型加载失败",
  'ran.why.llm-engine': "{reason}",
  'ran.continueBm25': "仅用 BM25 继续",
  'ran.continueNoRerank': "不重排序，继续",
  'ran.differs': "检索方式与本次评测的设置不同",
  'ran.differsCount': "{total} 个回答中有 {n} 个实际运行的检索与本次评测的设置不同（下方以 ⚠ 标出）。",
};
