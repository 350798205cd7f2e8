import { describe, expect, it } from 'vitest';
import { chunkDocument, mergeHeadingOnlySections } from '../../../src/chunking/chunk';
import { markdownSections } from '../../../src/extract/markdown';

const MD = '# Handbook\n\n## Annual leave\n\nNew employees get fifteen days.\n\n## Expenses\n\nTaxis need approval.';

describe('heading-only sections', () => {
  it('join the subsection that follows, keeping the subsection heading path', () => {
    const chunks = chunkDocument({ text: MD, sections: markdownSections(MD).sections }, { unit: 'tokens', size: 200, overlap: 40 });
    expect(chunks.map((c) => c.text)).toEqual(['# Handbook\n\n## Annual leave\n\nNew employees get fifteen days.', '## Expenses\n\nTaxis need approval.']);
    expect(chunks.map((c) => c.headingPath)).toEqual([['Handbook', 'Annual leave'], ['Handbook', 'Expenses']]);
  });
  it('are kept when the next section is not a subsection or is on another page', () => {
    const text = 'Title\nBody one\nTitle two';
    const secs = [
      { start: 0, end: 6, headingPath: ['A'] },
      { start: 6, end: 15, headingPath: ['B'] },
      { start: 15, end: 24, headingPath: ['B', 'C'], page: 2 },
    ];
    expect(mergeHeadingOnlySections(text, secs)).toEqual(secs);
  });
});
