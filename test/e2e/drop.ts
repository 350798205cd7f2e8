// Drops files onto an element the way a browser does: a real DataTransfer with File objects,
// dispatched as dragenter/dragover/drop.

import type { Locator } from '@playwright/test';

export interface DropFile {
  name: string;
  bytes: Uint8Array;
  type?: string;
}

export async function dropFiles(target: Locator, files: DropFile[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type ?? '', b64: Buffer.from(f.bytes).toString('base64') }));
  const dt = await target.page().evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return dt;
  }, payload);
  await target.dispatchEvent('dragenter', { dataTransfer: dt });
  await target.dispatchEvent('dragover', { dataTransfer: dt });
  await target.dispatchEvent('drop', { dataTransfer: dt });
}
