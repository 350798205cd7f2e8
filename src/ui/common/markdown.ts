// Markdown (model output, untrusted) → a small node tree that Svelte renders as elements; no HTML
// string is ever produced. CommonMark parsing is mdast-util-from-markdown's; this module maps its
// syntax tree onto the renderer's nodes: raw HTML stays literal text, links keep only http(s)/mailto
// targets, images become links (never loaded), and citation markers ([1], 【2】) become their own nodes.
import { fromMarkdown } from 'mdast-util-from-markdown';
import type { Nodes, PhrasingContent, RootContent } from 'mdast';

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'strong'; c: Inline[] }
  | { t: 'em'; c: Inline[] }
  | { t: 'link'; href: string; c: Inline[] }
  | { t: 'cite'; n: number; marker: string };

/** A list item: its inline content when it is one paragraph (the usual case), else its blocks. */
export type ListItem = Inline[] | { blocks: Block[] };

export type Block =
  | { t: 'p'; c: Inline[] }
  | { t: 'h'; level: number; c: Inline[] }
  | { t: 'ul'; items: ListItem[] }
  | { t: 'ol'; items: ListItem[]; start?: number }
  | { t: 'pre'; v: string }
  | { t: 'quote'; c: Block[] }
  | { t: 'hr' };

const SAFE_HREF = /^(https?:|mailto:)/i;
const CITE = /(?:\[|【|［)\s*([0-9０-９]+(?:\s*[,，、]\s*[0-9０-９]+)*)\s*(?:\]|】|］)/g;

// Link reference definitions ("[1]: handbook.pdf") are switched off: they would hide their line and
// turn every later [1] into a link to it, so a model's source list would swallow its citations.
const OPTIONS = { extensions: [{ disable: { null: ['definition'] } }] };

/** Splits citation markers out of a text run. */
function withCites(v: string, out: Inline[]): void {
  let at = 0;
  for (const m of v.matchAll(CITE)) {
    if (m.index > at) out.push({ t: 'text', v: v.slice(at, m.index) });
    for (const n of m[1].split(/[,，、]/)) {
      const num = Number(n.trim().replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - 0xff10)));
      out.push({ t: 'cite', n: num, marker: m[0] });
    }
    at = m.index + m[0].length;
  }
  if (at < v.length) out.push({ t: 'text', v: v.slice(at) });
}

/** The source text a node was parsed from, for constructs the renderer shows literally. */
function sourceOf(node: Nodes, src: string): string {
  const { start, end } = node.position ?? {};
  return start?.offset !== undefined && end?.offset !== undefined ? src.slice(start.offset, end.offset) : '';
}

/** Flattens phrasing content to text runs and elements; adjacent runs are joined so markers split across them are found. */
function collect(nodes: PhrasingContent[], src: string, out: (Inline | string)[]): void {
  for (const n of nodes) {
    switch (n.type) {
      case 'text':
      case 'html': // raw HTML is shown as the text it is
        out.push(n.value);
        break;
      case 'break':
        out.push('\n');
        break;
      case 'inlineCode':
        out.push({ t: 'code', v: n.value });
        break;
      case 'strong':
        out.push({ t: 'strong', c: inlines(n.children, src) });
        break;
      case 'emphasis':
        out.push({ t: 'em', c: inlines(n.children, src) });
        break;
      case 'link':
        if (SAFE_HREF.test(n.url)) out.push({ t: 'link', href: n.url, c: inlines(n.children, src, false) });
        else collect(n.children, src, out);
        break;
      case 'image': {
        // Never an <img>: a picture from an arbitrary host would leak that the answer was read.
        const label = n.alt || n.url;
        out.push(SAFE_HREF.test(n.url) ? { t: 'link', href: n.url, c: [{ t: 'text', v: label }] } : label);
        break;
      }
      case 'delete':
        collect(n.children, src, out);
        break;
      default:
        // References and footnotes cannot form (no definitions); shown as written if they ever do.
        out.push(sourceOf(n, src));
    }
  }
}

function inlines(nodes: PhrasingContent[], src: string, cites = true): Inline[] {
  const flat: (Inline | string)[] = [];
  collect(nodes, src, flat);
  const out: Inline[] = [];
  let run = '';
  const flush = () => {
    if (!run) return;
    if (cites) withCites(run, out);
    else out.push({ t: 'text', v: run });
    run = '';
  };
  for (const x of flat) {
    if (typeof x === 'string') run += x;
    else {
      flush();
      out.push(x);
    }
  }
  flush();
  return out;
}

function block(n: RootContent, src: string): Block {
  switch (n.type) {
    case 'paragraph':
      return { t: 'p', c: inlines(n.children, src) };
    case 'heading':
      return { t: 'h', level: n.depth, c: inlines(n.children, src) };
    case 'thematicBreak':
      return { t: 'hr' };
    case 'blockquote':
      return { t: 'quote', c: n.children.map((c) => block(c, src)) };
    case 'code':
      return { t: 'pre', v: n.value };
    case 'html':
      return { t: 'p', c: [{ t: 'text', v: n.value }] };
    case 'list': {
      const items = n.children.map((li): ListItem => {
        const only = li.children.length === 1 ? li.children[0] : undefined;
        if (li.children.length === 0) return [];
        if (only?.type === 'paragraph') return inlines(only.children, src);
        return { blocks: li.children.map((c) => block(c, src)) };
      });
      if (!n.ordered) return { t: 'ul', items };
      return typeof n.start === 'number' && n.start !== 1 ? { t: 'ol', items, start: n.start } : { t: 'ol', items };
    }
    default:
      return { t: 'p', c: [{ t: 'text', v: sourceOf(n, src) }] };
  }
}

const QUOTE_LINE = /^ {0,3}>/;
const FENCE = /^\s*(`{3,}|~{3,})/;

/**
 * Line ends → \n, and a quote ends at the first line that does not start with ">": CommonMark
 * would carry such a line into the quote ("lazy continuation"), but in model output the line after
 * a quoted passage is the answer going on. A blank line is inserted there (outside code fences).
 */
function prepare(src: string): string {
  const text = src.includes('\r') ? src.replace(/\r\n?/g, '\n') : src;
  if (!text.includes('>')) return text;
  const out: string[] = [];
  let fence = '';
  let quoted = false;
  for (const line of text.split('\n')) {
    const f = FENCE.exec(line);
    if (fence) {
      if (f && f[1][0] === fence[0] && f[1].length >= fence.length) fence = '';
    } else if (f) fence = f[1];
    else {
      const q = QUOTE_LINE.test(line);
      if (quoted && !q && line.trim() !== '') out.push('');
      quoted = q;
    }
    if (fence || f) quoted = false;
    out.push(line);
  }
  return out.join('\n');
}

/** A parse that the next, longer version of the same text can resume from. */
export interface MarkdownParse {
  /** The prepared text the tree was built from. */
  text: string;
  blocks: Block[];
  /** Offset in `text` of the line where each top-level block starts. */
  starts: number[];
  /** When the last block is a list: offset of the line where its last item starts. */
  lastItemStart?: number;
}

const lineStart = (text: string, offset: number) => text.lastIndexOf('\n', offset - 1) + 1;

/** Parses `text.slice(from)` as a document; offsets in the result are relative to `text`. */
function parseFrom(text: string, from: number): MarkdownParse {
  const src = from ? text.slice(from) : text;
  const root = fromMarkdown(src, OPTIONS);
  const blocks = root.children.map((n) => block(n, src));
  const starts = root.children.map((n) => from + lineStart(src, n.position?.start.offset ?? 0));
  const last = root.children[root.children.length - 1];
  const item = last?.type === 'list' ? last.children[last.children.length - 1] : undefined;
  const itemAt = item?.position?.start.offset;
  return itemAt === undefined ? { text, blocks, starts } : { text, blocks, starts, lastItemStart: from + lineStart(src, itemAt) };
}

const isList = (b: Block | undefined): b is Extract<Block, { items: ListItem[] }> => b?.t === 'ul' || b?.t === 'ol';

/**
 * Parses Markdown, reusing `prev` when the text only grew (a streamed answer): blocks that a later
 * block has closed cannot change in CommonMark once definitions are off, so only the last top-level
 * block — or only the last item of a final list — is parsed again. Falls back to a full parse
 * whenever the shared prefix or the block boundary is in doubt.
 */
export function parseMarkdownFrom(src: string, prev?: MarkdownParse): MarkdownParse {
  const text = prepare(src);
  if (!prev || prev.blocks.length === 0) return parseFrom(text, 0);
  const n = prev.blocks.length;
  const last = prev.blocks[n - 1];
  // Resume inside a final list: earlier items are closed once a later sibling has started.
  const item = prev.lastItemStart;
  if (item !== undefined && isList(last) && item > prev.starts[n - 1] && text.startsWith(prev.text.slice(0, item))) {
    const tail = parseFrom(text, item);
    const first = tail.blocks[0];
    if (isList(first) && first.t === last.t && tail.starts[0] === item) {
      const merged = { ...last, items: [...last.items.slice(0, -1), ...first.items] };
      return { ...tail, blocks: [...prev.blocks.slice(0, -1), merged, ...tail.blocks.slice(1)], starts: [...prev.starts, ...tail.starts.slice(1)] };
    }
  }
  // Resume at the last top-level block when a blank line or a self-closing block ends the one before it.
  const cut = prev.starts[n - 1];
  const before = prev.blocks[n - 2];
  const closed = !before || text.slice(0, cut).endsWith('\n\n') || before.t === 'h' || before.t === 'hr' || before.t === 'pre';
  if (n > 0 && cut > 0 && closed && text.startsWith(prev.text.slice(0, cut))) {
    const tail = parseFrom(text, cut);
    const first = tail.blocks[0];
    // A list item after the blank line may belong to the list before it: parse everything again.
    if (tail.starts[0] === cut && !(isList(first) && isList(before) && first.t === before.t)) {
      return { ...tail, blocks: [...prev.blocks.slice(0, -1), ...tail.blocks], starts: [...prev.starts.slice(0, -1), ...tail.starts] };
    }
  }
  return parseFrom(text, 0);
}

export function parseMarkdown(src: string): Block[] {
  return parseMarkdownFrom(src).blocks;
}

/** Inline nodes of a short snippet (paragraph and heading content, blocks separated by a blank line). */
export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  for (const b of parseMarkdown(s)) {
    if (b.t !== 'p' && b.t !== 'h') continue;
    if (out.length) out.push({ t: 'text', v: '\n\n' });
    out.push(...b.c);
  }
  return out;
}
