import { describe, expect, it } from 'vitest';
import { clusterLabels } from '../../../src/ui/eval/charts';

describe('chart labels', () => {
  it('points whose labels would overprint share one label; distant ones keep their own', () => {
    const px = { x: (v: number) => v, y: (v: number) => 100 - v * 100 };
    const pts = [
      { method: 'Few-shot', x: 300, y: 0.14, low: 0, high: 0 },
      { method: 'Plain', x: 340, y: 0.14, low: 0, high: 0 },
      { method: 'RAG', x: 600, y: 0.15, low: 0, high: 0 },
      { method: 'Other', x: 310, y: 0.9, low: 0, high: 0 },
    ];
    expect(clusterLabels(pts, px)).toEqual([
      { x: 340, y: 0.14, text: 'Few-shot · Plain' },
      { x: 310, y: 0.9, text: 'Other' },
      { x: 600, y: 0.15, text: 'RAG' },
    ]);
  });
});
