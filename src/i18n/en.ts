// All English strings, one module per area (so areas can grow without touching each other).
// Every key must also exist in Chinese: zh.ts is typed by these keys, so a missing one fails the type check.
import { core } from './en/core';
import { evaluate } from './en/eval';
import { guide } from './en/guide';
import { models } from './en/models';
import { app } from './en/app';
import { workspace } from './en/workspace';
import { ran } from './en/ran';
import { retrieval } from './en/retrieval';
import { finetune } from './en/finetune';
import { servers } from './en/servers';
import { steps } from './en/steps';
import { embedding } from './en/embedding';

export const en = { ...core, ...evaluate, ...guide, ...models, ...app, ...workspace, ...ran, ...retrieval, ...finetune, ...steps, ...servers, ...embedding } as const;

export type MessageKey = keyof typeof en;
