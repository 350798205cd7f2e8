// A small Markdown subset parsed into a node tree that Svelte renders as elements — model output is
// untrusted, so no HTML string is ever produced or injected. Raw HTML in the input stays literal text,
// links keep only http(s)/mailto targets, and citation markers ([1], 【2】) become their own nodes.

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'strong'; c: Inline[] }
  | { t: 'em'; c: Inline[] }
  | { t: 'link'; href: string; c: Inline[] }
  | { t: 'cite'; n: number; marker: string };

export type Block =
  | { t: 'p'; c: Inline[] }
  | { t: 'h'; level: number; c: Inline[] }
  | { t: 'ul' | 'ol'; items: Inline[][] }
  | { t: 'pre'; v: string }
  | { t: 'quote'; c: Inline[] };

const SAFE_HREF = /^(https?:|mailto:)/i;

export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ t: 'text', v: text });
    text = '';
  };
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    let m: RegExpMatchArray | null;
    if ((m = rest.match(/^`([^`]+)`/))) {
      flush();
      out.push({ t: 'code', v: m[1] });
    } else if ((m = rest.match(/^\*\*([^*]+)\*\*/)) || (m = rest.match(/^__([^_]+)__/))) {
      flush();
      out.push({ t: 'strong', c: parseInline(m[1]) });
    } else if ((m = rest.match(/^\*([^*\s][^*]*)\*/))) {
      flush();
      out.push({ t: 'em', c: parseInline(m[1]) });
    } else if ((m = rest.match(/^\[([^\]]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/))) {
      flush();
      if (SAFE_HREF.test(m[2])) out.push({ t: 'link', href: m[2], c: parseInline(m[1]) });
      else text += m[1];
    } else if ((m = rest.match(/^(?:\[|【|［)\s*([0-9０-９]+(?:\s*[,，、]\s*[0-9０-９]+)*)\s*(?:\]|】|］)/))) {
      flush();
      for (const n of m[1].split(/[,，、]/)) {
        const num = Number(n.trim().replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - 0xff10)));
        out.push({ t: 'cite', n: num, marker: m[0] });
      }
    } else {
      text += s[i];
      i++;
      continue;
    }
    i += m[0].length;
  }
  flush();
  return out;
}

export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  const endPara = () => {
    if (para.length) blocks.push({ t: 'p', c: parseInline(para.join('\n')) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let m: RegExpMatchArray | null;
    if (/^\s*```/.test(line)) {
      endPara();
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i])) body.push(lines[i++]);
      blocks.push({ t: 'pre', v: body.join('\n') });
    } else if ((m = line.match(/^(#{1,6})\s+(.*)$/))) {
      endPara();
      blocks.push({ t: 'h', level: m[1].length, c: parseInline(m[2]) });
    } else if (/^\s*([-*+])\s+/.test(line) || /^\s*\d+[.)]\s+/.test(line)) {
      endPara();
      const ordered = /^\s*\d+[.)]\s+/.test(line);
      const items: Inline[][] = [];
      while (i < lines.length && (ordered ? /^\s*\d+[.)]\s+/ : /^\s*[-*+]\s+/).test(lines[i])) {
        items.push(parseInline(lines[i].replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '')));
        i++;
      }
      i--;
      blocks.push({ t: ordered ? 'ol' : 'ul', items });
    } else if ((m = line.match(/^>\s?(.*)$/))) {
      endPara();
      blocks.push({ t: 'quote', c: parseInline(m[1]) });
    } else if (!line.trim()) {
      endPara();
    } else {
      para.push(line);
    }
  }
  endPara();
  return blocks;
}
