// Files the Evaluate screen offers for download, and the safe base of their names.

export interface OutFile {
  name: string;
  mime: string;
  text: string;
}

export function safeName(s: string): string {
  return s.replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^-+|-+$/gu, '') || 'evaluation';
}
