// Evaluation charts with Observable Plot (loaded lazily: it stays out of the first bundle): quality per
// method with 95% intervals, and quality against cost. Colours come from the page's CSS variables, set
// inline on the SVG, so an exported SVG/PNG looks like the chart on screen in either theme.

import type { ArmStats } from '../../eval/summary';
import type { Estimate } from '../../eval/stats';

export interface ChartColors {
  text: string;
  muted: string;
  bg: string;
  grid: string;
  /** One colour per arm (method, or model · method), in order. */
  series: string[];
}

export interface ChartText {
  /** The arm's label: the method, or "model · method" in a grid run. */
  arm: (a: ArmStats) => string;
  metric: { f1: string; recall: string; lexicalSupport: string; retrievalRecall: string };
  score: string;
  promptTokens: string;
  latency: string;
  ariaQuality: string;
  ariaCost: string;
}

interface Bar {
  method: string;
  metric: string;
  mean: number;
  low: number;
  high: number;
}

/** The interval drawn for an estimate; a point (low = high = mean) when there is none (too few questions). */
function range(e: Estimate): { low: number; high: number } {
  return e.ci ? { low: e.ci.low, high: e.ci.high } : { low: e.mean, high: e.mean };
}

function bars(stats: readonly ArmStats[], t: ChartText): Bar[] {
  const out: Bar[] = [];
  const add = (m: ArmStats, metric: string, e: Estimate | null | undefined) => {
    if (e) out.push({ method: t.arm(m), metric, mean: e.mean, ...range(e) });
  };
  for (const m of stats) {
    add(m, t.metric.f1, m.f1);
    add(m, t.metric.recall, m.recall);
    add(m, t.metric.lexicalSupport, m.lexicalSupport);
    add(m, t.metric.retrievalRecall, m.retrieval?.recall);
  }
  return out;
}

function base(colors: ChartColors, width: number) {
  return {
    width,
    style: { background: colors.bg, color: colors.text, fontSize: '12px', fontFamily: 'system-ui, sans-serif', overflow: 'visible' },
  };
}

/** Horizontal bars: one panel per metric (named above it), one bar per method, with its bootstrap interval. */
export async function qualityChart(stats: readonly ArmStats[], t: ChartText, colors: ChartColors, width: number): Promise<SVGSVGElement | HTMLElement> {
  const Plot = await import('@observablehq/plot');
  const data = bars(stats, t);
  const methods = stats.map((m) => t.arm(m));
  const metrics = [...new Set(data.map((d) => d.metric))];
  const panel = methods.length * 20;
  return Plot.plot({
    ...base(colors, width),
    ariaLabel: t.ariaQuality,
    height: 56 + metrics.length * (panel + 30),
    marginTop: 26,
    marginLeft: width < 480 ? 84 : 110,
    marginRight: 16,
    marginBottom: 40,
    x: { domain: [0, 1], label: t.score, labelAnchor: 'center', labelArrow: 'none', labelOffset: 34, grid: true },
    y: { domain: methods, label: null },
    fy: { domain: metrics, label: null, axis: null, padding: 30 / (panel + 30) },
    color: { domain: methods, range: colors.series },
    marks: [
      Plot.barX(data, { fy: 'metric', y: 'method', x: 'mean', fill: 'method', title: (d: Bar) => `${d.method} · ${d.metric}: ${d.mean.toFixed(2)} [${d.low.toFixed(2)}–${d.high.toFixed(2)}]` }),
      Plot.ruleY(data, { fy: 'metric', y: 'method', x1: 'low', x2: 'high', stroke: colors.text, strokeWidth: 1.5 }),
      // The metric's name above its panel (marks may draw outside the frame, into the facet gap).
      Plot.text(metrics, { fy: (d: string) => d, text: (d: string) => d, frameAnchor: 'top-left', dy: -8, lineAnchor: 'bottom', textAnchor: 'start', fontWeight: 600, fill: colors.text }),
      Plot.ruleX([0], { stroke: colors.muted }),
      Plot.frame({ stroke: colors.grid }),
    ],
  });
}

interface Point {
  method: string;
  x: number;
  y: number;
  low: number;
  high: number;
}

/**
 * Methods whose labels would overprint share one label ("Plain · Few-shot"). Positions are compared in
 * pixels: same row (within 14 px) and closer than the label's estimated width (7 px a character).
 */
export function clusterLabels(points: readonly Point[], px: { x: (v: number) => number; y: (v: number) => number }): { x: number; y: number; text: string }[] {
  const out: { x: number; y: number; text: string }[] = [];
  for (const p of [...points].sort((a, b) => a.x - b.x)) {
    const near = out.find((c) => Math.abs(px.y(c.y) - px.y(p.y)) < 14 && px.x(p.x) - px.x(c.x) < 10 + c.text.length * 7);
    if (near) {
      near.text += ` · ${p.method}`;
      near.x = p.x; // the label starts right of the rightmost dot, so it covers none of them
    }
    else out.push({ x: p.x, y: p.y, text: p.method });
  }
  return out;
}

/** F1 (with its interval) against a cost per answer: mean prompt tokens or mean latency. */
export async function costChart(stats: readonly ArmStats[], t: ChartText, colors: ChartColors, width: number, cost: 'promptTokens' | 'latency'): Promise<SVGSVGElement | HTMLElement> {
  const Plot = await import('@observablehq/plot');
  const data = stats.flatMap((m) => (m.f1 ? [{ method: t.arm(m), x: cost === 'promptTokens' ? m.promptTokens : m.totalMs + m.retrievalMs, y: m.f1.mean, ...range(m.f1) }] : []));
  const maxX = Math.max(1, ...data.map((d) => d.x));
  const xMax = maxX * 1.6; // room on the right for the labels next to the dots
  const [height, mt, mr, mb, ml] = [250, 20, 16, 40, 44];
  const px = { x: (v: number) => ml + (v / xMax) * (width - ml - mr), y: (v: number) => mt + (1 - v) * (height - mt - mb) };
  return Plot.plot({
    ...base(colors, width),
    ariaLabel: t.ariaCost,
    height,
    marginTop: mt,
    marginLeft: ml,
    marginRight: mr,
    marginBottom: mb,
    x: { domain: [0, xMax], label: cost === 'promptTokens' ? t.promptTokens : t.latency, labelAnchor: 'center', labelArrow: 'none', labelOffset: 34, grid: true, ticks: width < 480 ? 4 : 6 },
    y: { domain: [0, 1], label: t.metric.f1, grid: true },
    color: { domain: stats.map((m) => t.arm(m)), range: colors.series },
    marks: [
      Plot.ruleX(data, { x: 'x', y1: 'low', y2: 'high', stroke: 'method', strokeWidth: 2 }),
      Plot.dot(data, { x: 'x', y: 'y', fill: 'method', r: 6, stroke: colors.bg }),
      Plot.text(clusterLabels(data, px), { x: 'x', y: 'y', text: 'text', dx: 10, textAnchor: 'start', fill: colors.text }),
      Plot.frame({ stroke: colors.grid }),
    ],
  });
}

/** The chart's <svg> (Plot returns a <figure> when it adds a legend). */
export function svgOf(node: Element | null): SVGSVGElement | null {
  if (!node) return null;
  return node instanceof SVGSVGElement ? node : node.querySelector('svg');
}

/** A standalone SVG file: namespaces added, inline styles (colours) kept. */
export function svgText(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(clone);
}

/** Draws the SVG on a canvas at `scale`× and returns a PNG with the chart's background. */
export async function svgToPng(svg: SVGSVGElement, background: string, scale = 2): Promise<Blob> {
  const w = svg.width.baseVal.value || svg.getBoundingClientRect().width;
  const h = svg.height.baseVal.value || svg.getBoundingClientRect().height;
  const url = URL.createObjectURL(new Blob([svgText(svg)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('The chart could not be drawn as an image.'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(w * scale);
    canvas.height = Math.ceil(h * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This browser cannot draw on a canvas.');
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed.'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
