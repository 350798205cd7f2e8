// Full-precision (f32) vector rows addressed by the int8 index's row slots, for the exact re-score
// of its best candidates. The browser keeps them in an Origin Private File System file read through a
// synchronous access handle (a dedicated worker only): ~3 µs a row, nothing on the JS heap. The file
// is a cache of the store's vectors, rebuilt with the index, so each worker opens its own.

/** Rows of `dim` floats by slot; slots follow the index's rows (swap-with-last on removal). */
export interface RowStore {
  readonly dim: number;
  /** Where the rows live: an OPFS file, or memory (the fallback, and Node). */
  readonly kind: 'file' | 'memory';
  /** Writes `rows.length / dim` rows starting at slot `at`. */
  write(at: number, rows: Float32Array): void;
  /** Copies row `from` onto row `to`. */
  move(from: number, to: number): void;
  /** Reads row `slot` into `out` (length dim). */
  read(slot: number, out: Float32Array): void;
  /** Keeps rows below `rows`, dropping the rest. */
  truncate(rows: number): void;
  /** Bytes held in memory (0 for a file). */
  memoryBytes(): number;
  /** Bytes held on disk (0 in memory). */
  diskBytes(): number;
  close(): void;
}

/** Rows in one growable Float32Array. */
export class MemoryRowStore implements RowStore {
  readonly kind = 'memory';
  private data = new Float32Array(0);
  private rows = 0;

  constructor(readonly dim: number) {}

  write(at: number, rows: Float32Array): void {
    const end = at * this.dim + rows.length;
    if (end > this.data.length) {
      const grown = new Float32Array(Math.max(end, Math.ceil(this.data.length * 1.5)));
      grown.set(this.data.subarray(0, this.rows * this.dim));
      this.data = grown;
    }
    this.data.set(rows, at * this.dim);
    this.rows = Math.max(this.rows, end / this.dim);
  }

  move(from: number, to: number): void {
    const { dim } = this;
    this.data.copyWithin(to * dim, from * dim, (from + 1) * dim);
  }

  read(slot: number, out: Float32Array): void {
    out.set(this.data.subarray(slot * this.dim, (slot + 1) * this.dim));
  }

  truncate(rows: number): void {
    this.rows = Math.min(this.rows, rows);
    if (rows === 0) this.data = new Float32Array(0);
  }

  memoryBytes(): number {
    return this.data.byteLength;
  }

  diskBytes(): number {
    return 0;
  }

  close(): void {
    this.data = new Float32Array(0);
    this.rows = 0;
  }
}

/** The part of FileSystemSyncAccessHandle this uses (typed here: it exists in workers only). */
export interface SyncFile {
  read(buffer: ArrayBufferView, options: { at: number }): number;
  write(buffer: ArrayBufferView, options: { at: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}

/** Rows in a file at byte offset slot × dim × 4. */
export class FileRowStore implements RowStore {
  readonly kind = 'file';
  private readonly row: Float32Array;

  constructor(
    readonly dim: number,
    private readonly file: SyncFile,
    private readonly onClose: () => void = () => {},
  ) {
    this.row = new Float32Array(dim);
    file.truncate(0);
  }

  write(at: number, rows: Float32Array): void {
    const wrote = this.file.write(rows, { at: at * this.dim * 4 });
    if (wrote !== rows.byteLength) throw new Error(`Vector file: wrote ${wrote} of ${rows.byteLength} bytes (disk full?)`);
  }

  move(from: number, to: number): void {
    this.read(from, this.row);
    this.write(to, this.row);
  }

  read(slot: number, out: Float32Array): void {
    const got = this.file.read(out, { at: slot * this.dim * 4 });
    if (got !== out.byteLength) throw new Error(`Vector file: read ${got} of ${out.byteLength} bytes at row ${slot}`);
  }

  truncate(rows: number): void {
    if (rows * this.dim * 4 < this.file.getSize()) this.file.truncate(rows * this.dim * 4);
  }

  memoryBytes(): number {
    return 0;
  }

  diskBytes(): number {
    return this.file.getSize();
  }

  close(): void {
    this.file.close();
    this.onClose();
  }
}

interface OpfsDirectory {
  getFileHandle(name: string, options?: { create?: boolean }): Promise<{ createSyncAccessHandle?: () => Promise<SyncFile> }>;
  removeEntry(name: string): Promise<void>;
  keys(): AsyncIterableIterator<string>;
}

const PREFIX = 'vector-rows-';

/**
 * Opens a fresh row file in the Origin Private File System, first deleting row files no other worker
 * holds open (left by closed tabs). Resolves to null where synchronous access handles are missing
 * (not a dedicated worker, an old browser, storage blocked): the caller then decides what to use.
 */
export async function openFileRowStore(dim: number): Promise<FileRowStore | null> {
  const storage = (globalThis as { navigator?: { storage?: { getDirectory?: () => Promise<OpfsDirectory> } } }).navigator?.storage;
  if (typeof storage?.getDirectory !== 'function') return null;
  let root: OpfsDirectory;
  try {
    root = await storage.getDirectory();
  } catch {
    return null; // e.g. storage disabled in this context
  }
  for await (const name of root.keys()) {
    // A file another tab's worker holds open cannot be removed; that is expected.
    if (name.startsWith(PREFIX)) await root.removeEntry(name).catch(() => undefined);
  }
  const name = `${PREFIX}${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const handle = await root.getFileHandle(name, { create: true });
  if (typeof handle.createSyncAccessHandle !== 'function') {
    await root.removeEntry(name).catch(() => undefined); // not usable here (the page's main thread)
    return null;
  }
  const file = await handle.createSyncAccessHandle();
  return new FileRowStore(dim, file, () => void root.removeEntry(name).catch(() => undefined));
}
