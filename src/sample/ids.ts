// The few facts about the sample workspace the page needs at start-up (to recognise it), kept apart
// from its content so the handbook text loads only when someone asks for the sample.

export type SampleLang = 'en' | 'zh';

export const SAMPLE_TESTSET_ID = 'sample:lanting-handbook';
export const SAMPLE_TESTSET_NAME = 'Lanting Tech handbook · 兰亭科技员工手册 (sample)';

/** The question the Lab shows after loading the sample (the English one is the test set's first). */
export const SAMPLE_QUESTION: Record<SampleLang, string> = {
  en: 'How many days of paid annual leave does a new employee at Lanting Tech get in the first year?',
  zh: '兰亭科技的新员工第一年有几天带薪年假？',
};
