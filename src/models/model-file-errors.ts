// Errors for model files a user adds (GGUF files, ONNX folders): each has a stable code, a message
// that says what to do, and the file name in `detail` for the translated text. Nothing stored is
// touched when one is thrown: the file is refused before anything is saved or loaded.

import { FileError, type ErrorCode } from '../protocol/errors';

export type ModelFileErrorCode = Extract<
  ErrorCode,
  | 'gguf-not-gguf'
  | 'gguf-unsupported-version'
  | 'gguf-truncated'
  | 'gguf-corrupt'
  | 'gguf-unsupported-type'
  | 'gguf-unsupported-arch'
  | 'gguf-not-text-generation'
  | 'gguf-no-chat-template'
  | 'gguf-split-incomplete'
  | 'gguf-split-mismatch'
  | 'gguf-file-too-large'
  | 'model-too-large'
  | 'onnx-folder-incomplete'
  | 'onnx-folder-no-model'
>;

/** A FileError with one of the codes above. */
export function modelFileError(code: ModelFileErrorCode, message: string, detail: Record<string, string | number>): FileError {
  return new FileError(code, message, detail);
}
