// app 部分的中文：离线状态和更新提示。
import type { app as en } from '../en/app';
export const app: Record<keyof typeof en, string> = {
  'pwa.pending': '正在准备离线使用…',
  'pwa.pending.hint': '正在把应用保存到本设备，之后没有网络也能打开。',
  'pwa.ready': '可离线使用',
  'pwa.ready.hint': '应用、你的文档、测试集和运行记录在没有网络时都能使用。已下载的模型也能用；其他模型需要联网。',
  'pwa.unavailable': '无法离线使用',
  'pwa.unavailable.hint': '未能安装离线副本：{reason}',
  'pwa.installFailed.hint': '未能保存离线副本。浏览器存储空间可能已满：请在“模型与存储”页面释放空间后重新加载。',
  'pwa.unsupported.hint': '此浏览器在这里无法保存离线副本（Service Worker 需要 HTTPS 或 localhost）。',
  'pwa.offline': '离线',
  'pwa.offline.hint': '当前没有网络。本设备上已有的内容都能继续使用；下载新模型需要联网。',
  'pwa.version': '版本 {build}',
  'pwa.update.label': '有可用更新',
  'pwa.update.text': 'Method Lab 有新版本。',
  'pwa.update.note': '重新加载不会丢失你的文档、测试集和运行记录。',
  'pwa.update.reload': '重新加载',
  'pwa.update.later': '稍后',
};
