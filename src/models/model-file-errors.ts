// Errors for model files a user adds (GGUF files, ONNX folders): each has a stable code, a message
// that says what to do, and the file name in `detail` for the translated text. Nothing stored is
// touched when one is thrown: the file is refused before anything is saved or loaded.

import { FileError, type ErrorCode } from '../protocol/errors';

/** Problems with a model file the user adds (listed once, in src/protocol/errors.ts). */
export type ModelFileErrorCode = Extract<ErrorCode, `gguf-${string}` | `onnx-folder-${string}` | 'model-too-large'>;

/** A FileError with one of the codes above. */
export function modelFileError(code: ModelFileErrorCode, message: string, detail: Record<string, string | number>): FileError {
  return new FileError(code, message, detail);
}
