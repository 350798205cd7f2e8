// models 部分的中文。
import type { models as en } from '../en/models';
export const models: Record<keyof typeof en, string> = {};
