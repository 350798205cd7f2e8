// 全部中文文字，按区域分模块；类型要求每个英文键都有中文。
import type { MessageKey } from './en';
import { core } from './zh/core';
import { evaluate } from './zh/eval';
import { guide } from './zh/guide';
import { models } from './zh/models';
import { app } from './zh/app';
import { workspace } from './zh/workspace';
import { ran } from './zh/ran';
import { retrieval } from './zh/retrieval';
import { finetune } from './zh/finetune';
import { servers } from './zh/servers';
import { steps } from './zh/steps';
import { embedding } from './zh/embedding';

export const zh: Record<MessageKey, string> = { ...core, ...evaluate, ...guide, ...models, ...app, ...workspace, ...ran, ...retrieval, ...finetune, ...steps, ...servers, ...embedding };
