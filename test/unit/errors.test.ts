import { describe, expect, it } from 'vitest';
import { AbortError, AppError, FileError, fromWire, toAppError, WorkerCrashedError } from '../../src/protocol/errors';

describe('AppError wire form', () => {
  it('keeps class, code, message and detail across the boundary', () => {
    const e = new FileError('pdf-encrypted', 'The PDF is password-protected.', { file: 'a.pdf' });
    const back = fromWire(JSON.parse(JSON.stringify(e.toWire())));
    expect(back).toBeInstanceOf(FileError);
    expect(back.code).toBe('pdf-encrypted');
    expect(back.message).toBe('The PDF is password-protected.');
    expect(back.detail).toEqual({ file: 'a.pdf' });
  });
  it('rebuilds aborts and crashes as their own classes', () => {
    expect(fromWire(new AbortError().toWire())).toBeInstanceOf(AbortError);
    const c = fromWire(new WorkerCrashedError('llm', 'out of memory').toWire());
    expect(c).toBeInstanceOf(WorkerCrashedError);
    expect(c.message).toContain('out of memory');
  });
  it('maps DOM quota errors to an actionable code', () => {
    expect(toAppError(new DOMException('full', 'QuotaExceededError')).code).toBe('quota-exceeded');
    expect(toAppError(new Error('x'))).toBeInstanceOf(AppError);
  });
});
