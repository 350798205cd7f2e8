// Saves a packaged fine-tuning export (one text file, or a ZIP's bytes) as a download.

import type { PackagedExport } from '../../export/finetune';
import { saveBlob } from './download';

export function saveExport(f: PackagedExport | null): void {
  if (!f) return;
  const blob = typeof f.data === 'string' ? new Blob([f.data], { type: `${f.mime};charset=utf-8` }) : new Blob([f.data], { type: f.mime });
  saveBlob(blob, f.name);
}
