// Collects files from a drop (files and whole folders, recursively) or a file input. Hidden and
// system files (.DS_Store, Thumbs.db, __MACOSX) are skipped; the path inside a folder is kept as the name.

export interface PickedFile {
  file: File;
  /** Relative path inside a dropped folder, or the file name. */
  name: string;
}

const SKIP = /(^|\/)(\.[^/]*|__MACOSX|Thumbs\.db|desktop\.ini)(\/|$)/i;

type Entry = FileSystemEntry;

function readAll(dir: FileSystemDirectoryEntry): Promise<Entry[]> {
  const reader = dir.createReader();
  const out: Entry[] = [];
  return new Promise((resolve, reject) => {
    // readEntries returns at most ~100 entries per call: keep reading until it returns none.
    const next = () =>
      reader.readEntries((batch) => {
        if (!batch.length) return resolve(out);
        out.push(...batch);
        next();
      }, reject);
    next();
  });
}

async function walk(entry: Entry, prefix: string, out: PickedFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (SKIP.test(path)) return;
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push({ file, name: path });
  } else if (entry.isDirectory) {
    for (const child of await readAll(entry as FileSystemDirectoryEntry)) await walk(child, path, out);
  }
}

export async function filesFromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  const entries = [...dt.items].filter((i) => i.kind === 'file').map((i) => i.webkitGetAsEntry?.() ?? null);
  if (entries.length && entries.every((e) => e !== null)) {
    for (const e of entries) await walk(e!, '', out);
    return out;
  }
  return filesFromList(dt.files);
}

export function filesFromList(list: FileList | null): PickedFile[] {
  return [...(list ?? [])]
    .map((file) => ({ file, name: file.webkitRelativePath || file.name }))
    .filter((f) => !SKIP.test(f.name));
}
