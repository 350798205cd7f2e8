// What a retrieval sweep measures, from the form on the Documents screen: the grid (chunk sizes ×
// overlaps × modes × headers) plus the library's current setting, which every other setting is
// compared with. Also the mapping between a sweep mode and the Lab's retrieval switches. Pure.
import type { ChunkSettings } from '../chunking/chunk';
import { expandGrid, settingKey, type SweepMode, type SweepSetting } from './sweep';

export const SWEEP_MODES: readonly SweepMode[] = ['bm25', 'dense', 'hybrid', 'hybrid+rerank'];

/** The Lab's retrieval switches (src/lab/run-lane.ts RetrievalSettings). */
export interface RetrievalSwitches {
  bm25: boolean;
  dense: boolean;
  rerank: boolean;
}

/** The sweep mode the Lab's switches run; null when they match none (nothing on, or reranking one method alone). */
export function modeOfSwitches(r: RetrievalSwitches): SweepMode | null {
  if (r.bm25 && r.dense) return r.rerank ? 'hybrid+rerank' : 'hybrid';
  if (r.rerank) return null;
  if (r.bm25) return 'bm25';
  if (r.dense) return 'dense';
  return null;
}

export function switchesOfMode(mode: SweepMode): RetrievalSwitches {
  return { bm25: mode !== 'dense', dense: mode !== 'bm25', rerank: mode === 'hybrid+rerank' };
}

/** "100, 200" → [100, 200] (sorted, duplicates dropped); null when any entry is not a whole number ≥ `min`. */
export function parseNumberList(text: string, min = 0): number[] | null {
  const parts = text.split(/[,，;；\s]+/u).filter(Boolean);
  if (!parts.length) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/u.test(p)) return null;
    const n = Number(p);
    if (n < min) return null;
    out.push(n);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

export interface SweepForm {
  sizes: readonly number[];
  overlaps: readonly number[];
  modes: readonly SweepMode[];
  headers: readonly boolean[];
}

/** The form's starting grid around the current chunking: half and full size, no overlap and the current one, three modes, headers on and off. */
export function defaultForm(current: ChunkSettings): { sizes: number[]; overlaps: number[]; modes: SweepMode[]; headers: boolean[] } {
  const half = Math.max(10, Math.round(current.size / 2));
  return {
    sizes: [...new Set([half, current.size])].sort((a, b) => a - b),
    overlaps: [...new Set([0, current.overlap])].filter((o) => o < half).sort((a, b) => a - b),
    modes: ['bm25', 'dense', 'hybrid'],
    headers: [true, false],
  };
}

/** The library's current setting as a sweep setting: its chunking, the Lab's mode, headers and collapsing on (what the app runs). */
export function currentSetting(chunking: ChunkSettings, mode: SweepMode): SweepSetting {
  return { unit: chunking.unit, size: chunking.size, overlap: chunking.overlap, mode, headers: true, dedupe: true };
}

/**
 * Every setting to measure: the grid (in the current unit, with near-duplicate collapsing on, as the
 * app searches) and the current setting, each once, the current one first.
 */
export function planSettings(form: SweepForm, current: SweepSetting): SweepSetting[] {
  const grid = expandGrid({ unit: current.unit, sizes: form.sizes, overlaps: form.overlaps, modes: form.modes, headers: form.headers, dedupe: [true] });
  const seen = new Set([settingKey(current)]);
  return [current, ...grid.filter((s) => !seen.has(settingKey(s)) && seen.add(settingKey(s)))];
}
