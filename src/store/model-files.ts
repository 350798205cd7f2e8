// Model files the user added (GGUF files, ONNX folders): the bytes live in the origin-private file
// system (OPFS) under `user-models/<id>/`, written as streams (no copy in memory); the list with each
// model's facts lives in the settings store. Nothing is uploaded. Deleting removes both.

import type { LabDb } from './db';
import { getSetting, setSetting } from './settings';
import { AppError } from '../protocol/errors';

export interface UserModelFile {
  /** Path inside the model (a GGUF part's file name; `onnx/model_quantized.onnx` in a folder). */
  path: string;
  size: number;
}

export interface UserModel {
  id: string;
  /** What the Model lists show: the file (or folder) name. */
  name: string;
  kind: 'gguf' | 'onnx';
  files: UserModelFile[];
  bytes: number;
  addedAt: number;
  /** Facts read from the file when it was added (architecture, quantization, parameters…). */
  facts: Record<string, string | number | boolean>;
  /** ONNX folders: the dtypes present (q8, fp32, q4…). */
  dtypes?: string[];
}

const LIST_KEY = 'userModels';
const ROOT = 'user-models';

export async function listUserModels(db: LabDb): Promise<UserModel[]> {
  return getSetting<UserModel[]>(db, LIST_KEY, []);
}

async function root(): Promise<FileSystemDirectoryHandle> {
  const storage = globalThis.navigator?.storage;
  if (!storage?.getDirectory) throw new AppError('bad-request', 'This browser has no private file storage (OPFS), so model files cannot be kept. Use a current Chrome, Edge, Firefox or Safari.');
  return (await storage.getDirectory()).getDirectoryHandle(ROOT, { create: true });
}

async function dirOf(id: string, create: boolean): Promise<FileSystemDirectoryHandle> {
  return (await root()).getDirectoryHandle(id, { create });
}

/** Nested folders for a path like `onnx/model.onnx`; returns the folder and the file name. */
async function place(dir: FileSystemDirectoryHandle, path: string, create: boolean): Promise<[FileSystemDirectoryHandle, string]> {
  const parts = path.split('/').filter(Boolean);
  let d = dir;
  for (const p of parts.slice(0, -1)) d = await d.getDirectoryHandle(p, { create });
  return [d, parts.at(-1)!];
}

function quota(e: unknown): unknown {
  if (e instanceof DOMException && e.name === 'QuotaExceededError') {
    return new AppError('quota-exceeded', 'The browser storage quota is exhausted: the model files do not fit. Free space on the Models & Storage screen (cached models, documents) and try again.');
  }
  return e;
}

/**
 * Writes the files and adds the model to the list. All or nothing: a failure (quota, a file that
 * cannot be read) removes what was written, and the list is unchanged.
 */
export async function saveUserModel(db: LabDb, model: UserModel, blobs: ReadonlyMap<string, Blob>, onBytes?: (written: number, total: number) => void, signal?: AbortSignal): Promise<void> {
  const dir = await dirOf(model.id, true);
  let written = 0;
  try {
    for (const f of model.files) {
      if (signal?.aborted) throw new DOMException('Aborted', 'AbortError');
      const blob = blobs.get(f.path);
      if (!blob) throw new AppError('bad-request', `"${f.path}" could not be read.`);
      const [d, name] = await place(dir, f.path, true);
      const out = await (await d.getFileHandle(name, { create: true })).createWritable();
      const reader = blob.stream().getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (signal?.aborted) throw new DOMException('Aborted', 'AbortError');
          await out.write(value);
          written += value.byteLength;
          onBytes?.(written, model.bytes);
        }
        await out.close();
      } catch (e) {
        await out.abort().catch(() => undefined);
        throw e;
      }
    }
    await setSetting(db, LIST_KEY, [...(await listUserModels(db)).filter((m) => m.id !== model.id), model]);
  } catch (e) {
    await (await root()).removeEntry(model.id, { recursive: true }).catch(() => undefined);
    throw quota(e);
  }
}

/** The model's files as Blobs (backed by the disk, not read into memory), by path. */
export async function userModelFiles(model: UserModel): Promise<Map<string, Blob>> {
  const dir = await dirOf(model.id, false);
  const out = new Map<string, Blob>();
  for (const f of model.files) {
    const [d, name] = await place(dir, f.path, false);
    out.set(f.path, await (await d.getFileHandle(name)).getFile());
  }
  return out;
}

export async function deleteUserModel(db: LabDb, id: string): Promise<void> {
  await setSetting(db, LIST_KEY, (await listUserModels(db)).filter((m) => m.id !== id));
  await (await root()).removeEntry(id, { recursive: true }).catch((e: unknown) => {
    if (!(e instanceof DOMException && e.name === 'NotFoundError')) throw e;
  });
}
