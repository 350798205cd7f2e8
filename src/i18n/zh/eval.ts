// eval 部分的中文。
import type { evaluate as en } from '../en/eval';
export const evaluate: Record<keyof typeof en, string> = {};
