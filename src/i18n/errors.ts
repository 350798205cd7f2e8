// Chinese wording for every error code. English messages are written where the error is raised
// (they carry the most specific advice); Chinese ones come from this table, filled from the
// error's `detail`. `null` means no general wording fits, and the source message is shown.
// Typed over every ErrorCode, so a new code without a Chinese entry fails the type check.

import type { ErrorCode } from '../protocol/errors';

export const zhErrors: Record<ErrorCode, string | null> = {
  'webgpu-unavailable': 'WebGPU 不可用，web-llm 无法运行 {model}。',
  'webgpu-no-f16': '此 GPU 不支持 shader-f16，而 {model} 需要它；请选用 q4f32 版本。',
  'webgpu-lost': 'GPU 设备丢失（驱动重置或显存不足）。请重新加载模型后继续。',
  'model-not-found': '模型“{model}”在模型源上缺少文件。请检查模型 ID 和模型源设置。',
  'model-download-failed': '无法下载“{model}”：连不上模型源。请检查网络或模型源设置后重试。',
  'model-download-timeout': '模型源 {host} 未在 {seconds} 秒内响应。请检查网络或模型源设置后重试。',
  'model-load-failed': '加载“{model}”失败：{reason}',
  'needs-connection': '“{model}”还没有下载，需要联网才能使用。联网后重试；已下载的模型离线也能用。',
  'worker-crashed': '{worker} 后台线程意外停止（{reason}），下次请求时会自动重启。',
  aborted: '已取消。',
  'bad-request': null,
  'file-empty': '“{fileName}”是空的：里面没有可索引的文字。请确认选对了文件。',
  'file-binary': '“{fileName}”不像文本文件（含有二进制数据）。如果它是文档，请导出为 PDF、DOCX、EPUB、Markdown 或纯文本后再拖入。',
  'file-too-large': '“{fileName}”有 {sizeMB} MB，超过了 {limitMB} MB 的上限。可以在分块设置里调高上限，或把文件拆小。',
  'file-mislabelled': '“{fileName}”的扩展名是 {expected}，但内容其实是 {actual}。请确认选对了文件，或改成与内容相符的扩展名。',
  'file-unsupported': '“{fileName}”是 {format} 格式，无法索引。请导出为 PDF、DOCX、EPUB、Markdown 或纯文本。',
  'pdf-corrupt': '“{fileName}”无法作为 PDF 读取，可能已损坏或没有下载完整。请重新下载或导出后再拖入。',
  'pdf-encrypted': '“{fileName}”有密码保护。请在 PDF 阅读器中去掉密码另存一份，再拖入。',
  'docx-corrupt': '“{fileName}”不是有效的 Word（DOCX）文件，可能已损坏。请用 Word 或 WPS 重新另存为 .docx。',
  'epub-corrupt': '“{fileName}”不是有效的 EPUB 文件，可能已损坏。',
  'zip-bomb': '“{fileName}”解压后大得离谱（疑似压缩炸弹），为保护浏览器已拒绝，没有解压。',
  'json-invalid': '“{fileName}”不是有效的 JSON（第 {line} 行第 {column} 列附近有错误）。',
  'quota-exceeded': '浏览器存储空间已满。请在“模型与存储”页面释放空间后重试。',
  duplicate: '“{fileName}”与文档库中已有的“{existing}”内容相同，没有重复保存。',
  internal: null,
};
