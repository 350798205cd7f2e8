// 后台向量化与向量的存放方式：检索索引面板的进度和剩余时间、“向量化其余分块”、添加队列里“已可检索”的说明、向量精度。
import type { embedding as en } from '../en/embedding';
export const embedding: Record<keyof typeof en, string> = {
  'embedding.progress': "正在向量化第 {done} / {total} 个分块",
  'embedding.left': "大约还需 {time}",
  'embedding.estimating': "正在估算剩余时间…",
  'embedding.time.s': "{s} 秒",
  'embedding.time.min': "{m} 分 {s} 秒",
  'embedding.time.h': "{h} 小时 {m} 分",
  'embedding.rest': "向量化其余分块",
  'embedding.elsewhere': "Method Lab 的另一个标签页正在为此文档库生成向量。向量会存入两个标签页共用的数据库；待其完成后刷新本页，即可在此检索。",
  'embedding.partial': "向量检索覆盖已有向量的 {vectors} 个分块；BM25 覆盖全部 {chunks} 个。",
  'embedding.searchable': "已存入的文件现在就能用 BM25 检索；它们的向量正在后台生成（{done} / {total} 个分块，见“检索索引”）。",
  'embedding.precision.int8': "向量：int8，精确重算得分（{rows}）",
  'embedding.precision.f32': "向量：float32",
  'embedding.rows.file': "全精度副本存于浏览器文件",
  'embedding.rows.memory': "全精度副本存于内存",
  'index.embedder.server': "向量：{model}，在服务器 {host} 上计算（{dim} 维）",
  'index.where.server': "分块在 {host} 上向量化（通过网络发送）；开启稠密检索时，你的问题也会发送到那里。",
  'index.change.confirmServer': "更换向量模型会用 {host} 上的 {model} 重新向量化全部 {n} 个分块：每个分块都会发送到该服务器。继续吗？",
  'index.serverOption': "在你添加的服务器上：分块会发送到那里",
};
