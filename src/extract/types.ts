// Shapes shared by every extractor and by the chunker. Kept apart from index.ts so the per-format
// modules can import them without a cycle through the dispatcher.

export type DocKind = 'txt' | 'md' | 'html' | 'pdf' | 'docx' | 'epub' | 'csv' | 'json';

/** A run of the text with one provenance: offsets are UTF-16 indices into `ExtractedDoc.text`, end exclusive. */
export interface Section {
  start: number;
  end: number;
  /** 1-based PDF page. */
  page?: number;
  /** Enclosing headings, outermost first, e.g. ['Leave policy', 'Annual leave']. */
  headingPath?: string[];
}

export interface ExtractedDoc {
  kind: DocKind;
  text: string;
  /** PDF page count. */
  pages?: number;
  /** Cover `text` in order, without overlaps; gaps hold only whitespace. */
  sections: Section[];
  /** Encoding the bytes were decoded from, for text kinds (e.g. 'utf-8', 'gb18030'). */
  encoding?: string;
  title?: string;
}

export interface PdfTextItemLike {
  str?: string;
  hasEOL?: boolean;
  /** Present on marked-content items, which carry no text. */
  type?: string;
}

export interface PdfPageLike {
  getTextContent(): Promise<{ items: PdfTextItemLike[] }>;
  cleanup(): unknown;
}

export interface PdfDocumentLike {
  numPages: number;
  getPage(pageNumber: number): Promise<PdfPageLike>;
  getMetadata(): Promise<{ info: object | null | undefined }>;
  destroy(): Promise<void>;
}

export interface PdfGetDocumentParams {
  data: Uint8Array;
  isEvalSupported?: boolean;
  disableFontFace?: boolean;
  useSystemFonts?: boolean;
  useWorkerFetch?: boolean;
  stopAtErrors?: boolean;
  verbosity?: number;
  /** Where pdf.js finds its packed Adobe CMaps (needed for CJK fonts without a ToUnicode map). */
  cMapUrl?: string;
  cMapPacked?: boolean;
  /** pdf.js 5 hook that fetches CMap/font/wasm files; see pdfjs-browser.ts. */
  BinaryDataFactory?: object;
}

/** The slice of the pdfjs-dist module we use; both `pdfjs-dist` and its legacy build satisfy it. */
export interface PdfJsLike {
  getDocument(params: PdfGetDocumentParams): { promise: Promise<PdfDocumentLike>; destroy(): Promise<void> };
}

export interface ExtractOptions {
  fileName: string;
  /** Refuse files larger than this many bytes. */
  maxBytes: number;
  /** Refuse ZIP containers (DOCX, EPUB) that would unpack to more than this many bytes. */
  maxUnpackedBytes: number;
  signal?: AbortSignal;
  /** Pages (PDF), chapters (EPUB) or 1/1 for single-pass formats. */
  onProgress?: (done: number, total: number) => void;
  /** The pdf.js module, already configured with its worker (see `loadPdfJs`); Node loads the legacy build itself. */
  pdfjs?: PdfJsLike;
}
