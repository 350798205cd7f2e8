// The UI languages: the one definition every module uses (strings, guide content, prompts, metrics).

export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];
