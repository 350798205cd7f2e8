// Markdown: the source is kept as the text (it reads fine and offsets stay exact for citations);
// ATX headings (#, ##, …) outside fenced code blocks start sections carrying their heading path.
import { buildSections } from './html';
import type { Section } from './types';

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function markdownSections(text: string): { sections: Section[]; title?: string } {
  const markers: { at: number; headingPath: string[] }[] = [];
  const stack: { level: number; text: string }[] = [];
  let fence = '';
  let title: string | undefined;
  let pos = 0;
  for (const line of text.split('\n')) {
    const at = pos;
    pos += line.length + 1;
    const f = FENCE.exec(line);
    if (f) {
      if (!fence) fence = f[1];
      else if (f[1][0] === fence[0] && f[1].length >= fence.length) fence = '';
      continue;
    }
    if (fence) continue;
    const m = ATX.exec(line);
    if (!m) continue;
    const level = m[1].length;
    const heading = (m[2] ?? '').replace(/\s+/g, ' ').trim();
    if (!heading) continue;
    while (stack.length && stack[stack.length - 1].level >= level) stack.pop();
    stack.push({ level, text: heading });
    if (level === 1 && title === undefined) title = heading;
    markers.push({ at, headingPath: stack.map((h) => h.text) });
  }
  return { sections: buildSections(text, markers), ...(title ? { title } : {}) };
}
