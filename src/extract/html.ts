// HTML/XHTML → visible plain text with heading sections, for HTML files, DOCX (via mammoth's HTML)
// and EPUB chapters. Workers have no DOMParser, so this is a small tolerant tokenizer; it never runs
// or resolves anything: scripts, styles, templates and attributes (event handlers, URLs) are dropped.
import type { Section } from './types';

export interface HtmlTag {
  /** Lower-case local name (namespace prefix removed), e.g. 'p', 'rootfile', 'title'. */
  name: string;
  attrs: Record<string, string>;
  selfClosing: boolean;
}

export type HtmlToken =
  | { type: 'text'; text: string } // entities already decoded
  | { type: 'open'; tag: HtmlTag }
  | { type: 'close'; name: string };

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009',
  shy: '\u00ad', zwj: '\u200d', zwnj: '\u200c', copy: '©', reg: '®', trade: '™', hellip: '…', mdash: '—', ndash: '–',
  lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„', laquo: '«', raquo: '»', lsaquo: '‹', rsaquo: '›',
  middot: '·', bull: '•', times: '×', divide: '÷', deg: '°', plusmn: '±', para: '¶', sect: '§', cent: '¢', pound: '£',
  yen: '¥', euro: '€', curren: '¤', iexcl: '¡', iquest: '¿', frac12: '½', frac14: '¼', frac34: '¾', sup1: '¹', sup2: '²',
  sup3: '³', micro: 'µ', larr: '←', rarr: '→', uarr: '↑', darr: '↓', harr: '↔', rArr: '⇒', lArr: '⇐', hArr: '⇔',
  le: '≤', ge: '≥', ne: '≠', asymp: '≈', minus: '−', infin: '∞', sum: '∑', prod: '∏', radic: '√', permil: '‰',
  prime: '′', Prime: '″', dagger: '†', Dagger: '‡', loz: '◊', hearts: '♥', spades: '♠', clubs: '♣', diams: '♦',
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', lambda: 'λ', mu: 'μ', pi: 'π', sigma: 'σ', omega: 'ω',
  Alpha: 'Α', Beta: 'Β', Gamma: 'Γ', Delta: 'Δ', Sigma: 'Σ', Omega: 'Ω', ordf: 'ª', ordm: 'º', macr: '¯', acute: '´',
  cedil: '¸', uml: '¨', not: '¬', brvbar: '¦', szlig: 'ß', agrave: 'à', aacute: 'á', acirc: 'â', atilde: 'ã', auml: 'ä',
  aring: 'å', aelig: 'æ', ccedil: 'ç', egrave: 'è', eacute: 'é', ecirc: 'ê', euml: 'ë', igrave: 'ì', iacute: 'í',
  icirc: 'î', iuml: 'ï', ntilde: 'ñ', ograve: 'ò', oacute: 'ó', ocirc: 'ô', otilde: 'õ', ouml: 'ö', oslash: 'ø',
  ugrave: 'ù', uacute: 'ú', ucirc: 'û', uuml: 'ü', yacute: 'ý', yuml: 'ÿ', Agrave: 'À', Aacute: 'Á', Acirc: 'Â',
  Auml: 'Ä', Aring: 'Å', AElig: 'Æ', Ccedil: 'Ç', Egrave: 'È', Eacute: 'É', Ecirc: 'Ê', Ntilde: 'Ñ', Oacute: 'Ó',
  Ouml: 'Ö', Oslash: 'Ø', Uacute: 'Ú', Uuml: 'Ü', oelig: 'œ', OElig: 'Œ', scaron: 'š', Scaron: 'Š', fnof: 'ƒ',
  circ: 'ˆ', tilde: '˜',
};

/** Decodes character references; unknown names stay as written, as browsers do. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});?/g, (m, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[ref] ?? m;
  });
}

// Elements whose content is never shown as text (or is code): skipped up to their closing tag.
const SKIP_CONTENT = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'object']);
// Elements with no content model: never wait for a closing tag.
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

const ATTR_RE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function parseTag(src: string): HtmlTag {
  // src is the inside of <...> without the leading '<'.
  const m = /^([A-Za-z][^\s/>]*)/.exec(src)!;
  const raw = m[1].toLowerCase();
  const name = raw.includes(':') ? raw.slice(raw.indexOf(':') + 1) : raw;
  const attrs: Record<string, string> = {};
  const rest = src.slice(m[1].length);
  const selfClosing = /\/\s*$/.test(rest);
  ATTR_RE.lastIndex = 0;
  for (let a = ATTR_RE.exec(rest); a; a = ATTR_RE.exec(rest)) {
    const key = a[1].toLowerCase();
    if (!(key in attrs)) attrs[key] = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
  }
  return { name, attrs, selfClosing };
}

/** Finds the '>' that ends a tag starting at `from`, skipping quoted attribute values. */
function tagEnd(html: string, from: number): number {
  let quote = '';
  for (let i = from; i < html.length; i++) {
    const c = html[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      // Quotes only open a value right after '='; a stray apostrophe in a malformed tag must not eat the page.
      let j = i - 1;
      while (j > from && (html[j] === ' ' || html[j] === '\t' || html[j] === '\n')) j--;
      if (html[j] === '=') quote = c;
    } else if (c === '>') return i;
  }
  return -1;
}

/**
 * Tokenizes HTML or XML into text, open and close tokens. Comments, doctypes and processing
 * instructions vanish; CDATA becomes text; the contents of script/style/noscript/template/iframe/
 * object are skipped entirely. Malformed markup degrades to text rather than throwing.
 */
export function* tokenizeHtml(html: string): Generator<HtmlToken> {
  let i = 0;
  const n = html.length;
  let text = '';
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      text += html.slice(i);
      break;
    }
    text += html.slice(i, lt);
    const next = html[lt + 1];
    if (next === '!' || next === '?') {
      if (html.startsWith('<!--', lt)) {
        const end = html.indexOf('-->', lt + 4);
        i = end < 0 ? n : end + 3;
      } else if (html.startsWith('<![CDATA[', lt)) {
        const end = html.indexOf(']]>', lt + 9);
        const body = html.slice(lt + 9, end < 0 ? n : end);
        if (text) yield { type: 'text', text: decodeEntities(text) };
        text = '';
        if (body) yield { type: 'text', text: body };
        i = end < 0 ? n : end + 3;
      } else {
        const end = html.indexOf('>', lt + 2);
        i = end < 0 ? n : end + 1;
      }
      continue;
    }
    const closing = next === '/';
    const nameStart = closing ? lt + 2 : lt + 1;
    if (!/[A-Za-z]/.test(html[nameStart] ?? '')) {
      // A lone '<' (as in "a < b") is text.
      text += '<';
      i = lt + 1;
      continue;
    }
    const end = tagEnd(html, nameStart);
    if (end < 0) {
      // Unterminated tag at the end of the file: drop it, the rest is not text anyone wrote.
      break;
    }
    if (text) yield { type: 'text', text: decodeEntities(text) };
    text = '';
    const tag = parseTag(html.slice(nameStart, end));
    i = end + 1;
    if (closing) {
      yield { type: 'close', name: tag.name };
      continue;
    }
    if (SKIP_CONTENT.has(tag.name) && !tag.selfClosing) {
      const close = new RegExp(`</(?:[A-Za-z][\\w.-]*:)?${tag.name}\\s*>`, 'ig');
      close.lastIndex = i;
      const m = close.exec(html);
      i = m ? m.index + m[0].length : n;
      continue;
    }
    yield { type: 'open', tag };
    if (tag.selfClosing || VOID.has(tag.name)) yield { type: 'close', name: tag.name };
  }
  if (text) yield { type: 'text', text: decodeEntities(text) };
}

// Block elements end the current line; PARAGRAPH ones also leave a blank line so the chunker sees
// paragraph breaks where the author had them.
const PARAGRAPH = new Set([
  'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'table', 'ul', 'ol', 'dl', 'hr', 'section', 'article',
  'header', 'footer', 'main', 'nav', 'aside', 'figure', 'address', 'details', 'fieldset', 'form', 'body',
]);
const LINE = new Set(['div', 'li', 'tr', 'dt', 'dd', 'caption', 'figcaption', 'summary', 'legend', 'option', 'center']);

export interface HtmlText {
  text: string;
  sections: Section[];
  /** The <title>, or failing that the first h1. */
  title?: string;
}

export interface HtmlToTextOptions {
  /** Deepest heading level that starts a section (EPUB uses 3: deeper headings are often run-in). */
  maxHeadingLevel?: number;
}

/** Extracts visible text; each heading up to `maxHeadingLevel` starts a section carrying its heading path. */
export function htmlToText(html: string, opts: HtmlToTextOptions = {}): HtmlText {
  const maxLevel = opts.maxHeadingLevel ?? 6;
  let out = '';
  let pendingBreak = 0; // 0 none, 1 newline, 2 blank line
  let pendingPrefix = ''; // list bullet or table cell separator, written before the next text
  let pendingSpace = false; // a block boundary inside a table cell
  let pre = 0;
  let inHead = false;
  let inTitle = false;
  let titleDone = false;
  let titleText = '';
  let firstH1: string | undefined;
  let heading: { level: number; text: string; start: number } | null = null;
  const headingStack: { level: number; text: string }[] = [];
  const markers: { at: number; headingPath?: string[] }[] = [];
  const lists: { ordered: boolean; n: number }[] = [];
  let cellsInRow = 0;
  let cellDepth = 0;

  const requestBreak = (level: number) => {
    if (cellDepth > 0) pendingSpace = true; // cells keep their paragraphs on the row's line
    else if (level > pendingBreak) pendingBreak = level;
  };
  /** Appends text after any pending break/prefix; returns the offset where `s` itself starts. */
  const append = (s: string): number => {
    if (out.length > 0 && pendingBreak > 0) {
      out = out.replace(/[ \t]+$/, '');
      const have = out.length - out.replace(/\n+$/, '').length;
      out += '\n'.repeat(Math.max(0, pendingBreak - have));
    }
    pendingBreak = 0;
    if (pendingPrefix) {
      if (!(pendingPrefix === ' | ' && (out.length === 0 || out.endsWith('\n')))) out += pendingPrefix;
      pendingPrefix = '';
      pendingSpace = false;
    }
    if (pendingSpace) {
      if (out.length > 0 && !/\s$/.test(out) && !/^\s/.test(s)) out += ' ';
      pendingSpace = false;
    }
    const at = out.length;
    out += s;
    return at;
  };

  for (const tok of tokenizeHtml(html)) {
    if (tok.type === 'text') {
      if (inTitle) {
        if (!titleDone) titleText += tok.text;
        continue;
      }
      if (inHead) continue;
      let s = tok.text.replace(/\u00a0/g, ' ');
      if (!pre) {
        s = s.replace(/[ \t\n\r\f]+/g, ' ');
        // A space at a line start or after a space is layout, not content.
        if (pendingBreak > 0 || out.length === 0 || /\s$/.test(out)) s = s.replace(/^ /, '');
      }
      if (!s) continue;
      const at = append(s);
      if (heading) {
        if (heading.start < 0 && s.trim()) heading.start = at + (s.length - s.trimStart().length);
        heading.text += s;
      }
      continue;
    }
    if (tok.type === 'open') {
      const { name } = tok.tag;
      if (name === 'head') inHead = true;
      else if (name === 'body') inHead = false;
      else if (name === 'title') {
        inTitle = true;
        continue;
      }
      if (PARAGRAPH.has(name)) requestBreak(2);
      else if (LINE.has(name)) requestBreak(1);
      if (name === 'pre') pre++;
      else if (name === 'ul' || name === 'ol') lists.push({ ordered: name === 'ol', n: 0 });
      else if (name === 'li') {
        const list = lists[lists.length - 1];
        if (list) list.n++;
        pendingPrefix = list?.ordered ? `${list.n}. ` : '- ';
      } else if (name === 'tr') cellsInRow = 0;
      else if (name === 'td' || name === 'th') {
        if (cellsInRow++ > 0) pendingPrefix = ' | ';
        cellDepth++;
      } else if (/^h[1-6]$/.test(name)) {
        const level = Number(name[1]);
        if (level <= maxLevel) heading = { level, text: '', start: -1 };
      } else if (name === 'br' && !inHead) {
        // A line break the author typed; consecutive ones make a blank line.
        if (cellDepth > 0) pendingSpace = true;
        else if (out.length > 0) out = out.replace(/[ \t]+$/, '') + '\n';
      }
      continue;
    }
    const name = tok.name;
    if (name === 'title') {
      if (inTitle) titleDone = true;
      inTitle = false;
      continue;
    }
    if (name === 'head') inHead = false;
    if (name === 'td' || name === 'th') cellDepth = Math.max(0, cellDepth - 1);
    if (PARAGRAPH.has(name)) requestBreak(2);
    else if (LINE.has(name)) requestBreak(1);
    if (name === 'pre') pre = Math.max(0, pre - 1);
    else if (name === 'ul' || name === 'ol') lists.pop();
    else if (heading && name === `h${heading.level}`) {
      const text = heading.text.replace(/\s+/g, ' ').trim();
      if (text && heading.start >= 0) {
        while (headingStack.length && headingStack[headingStack.length - 1].level >= heading.level) headingStack.pop();
        headingStack.push({ level: heading.level, text });
        if (heading.level === 1 && firstH1 === undefined) firstH1 = text;
        // The section starts at the heading itself, so a chunk carries its own heading text.
        markers.push({ at: heading.start, headingPath: headingStack.map((h) => h.text) });
      }
      heading = null;
    }
  }

  const text = out.replace(/\s+$/, '');
  const title = titleText.replace(/\s+/g, ' ').trim() || firstH1;
  return { text, sections: buildSections(text, markers), ...(title ? { title } : {}) };
}

/**
 * Turns section start markers into sections covering [0, text.length) in order. Text before the
 * first marker is a section without metadata; a whitespace-only stretch joins its neighbour.
 */
export function buildSections(text: string, markers: { at: number; headingPath?: string[]; page?: number }[]): Section[] {
  const sorted = markers.filter((m) => m.at >= 0 && m.at < text.length).sort((a, b) => a.at - b.at);
  const bounds: { at: number; headingPath?: string[]; page?: number }[] = [{ at: 0 }, ...sorted];
  const sections: Section[] = [];
  let carryStart = -1;
  for (let k = 0; k < bounds.length; k++) {
    const start = bounds[k].at;
    const end = k + 1 < bounds.length ? bounds[k + 1].at : text.length;
    if (end <= start) continue;
    if (!/\S/.test(text.slice(start, end))) {
      if (sections.length) sections[sections.length - 1].end = end;
      else if (carryStart < 0) carryStart = start;
      continue;
    }
    const { page, headingPath } = bounds[k];
    sections.push({
      start: carryStart >= 0 ? carryStart : start,
      end,
      ...(page !== undefined ? { page } : {}),
      ...(headingPath ? { headingPath } : {}),
    });
    carryStart = -1;
  }
  return sections;
}

/** Text content of the first element with this local name (e.g. 'title' for <dc:title>), or undefined. */
export function firstElementText(xml: string, localName: string): string | undefined {
  let depth = 0;
  let text = '';
  for (const tok of tokenizeHtml(xml)) {
    if (tok.type === 'open' && tok.tag.name === localName) depth++;
    else if (tok.type === 'close' && tok.name === localName && depth > 0) {
      const t = text.replace(/\s+/g, ' ').trim();
      return t || undefined;
    } else if (tok.type === 'text' && depth > 0) text += tok.text;
  }
  return undefined;
}
