// The result contract shared by every benchmark, and the terminal table.

/** Throws unless `r` is { id, value (finite number), unit, better: 'lower'|'higher', note? }. */
export function checkResult(r, from) {
  const bad = (why) => new Error(`${from}: invalid result ${JSON.stringify(r)}: ${why}`);
  if (!r || typeof r !== 'object') throw bad('not an object');
  // '@' qualifies a figure by its input size, as in search.hybrid.p95_ms@100k.
  if (typeof r.id !== 'string' || !/^[a-z0-9_]+(\.[a-z0-9_@]+)+$/.test(r.id)) throw bad('id must look like group.name or group.name@size (lowercase, dots)');
  if (typeof r.value !== 'number' || !Number.isFinite(r.value)) throw bad('value must be a finite number');
  if (typeof r.unit !== 'string' || !r.unit) throw bad('unit must be a non-empty string');
  if (r.better !== 'lower' && r.better !== 'higher') throw bad("better must be 'lower' or 'higher'");
  if (r.note !== undefined && typeof r.note !== 'string') throw bad('note must be a string');
  return { id: r.id, value: r.value, unit: r.unit, better: r.better, ...(r.note ? { note: r.note } : {}) };
}

export function formatTable(results) {
  const rows = [['id', 'value', 'unit', 'better'], ...results.map((r) => [r.id, String(r.value), r.unit, r.better])];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row) => row.map((cell, c) => (c === 1 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ');
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  const notes = results.filter((r) => r.note).map((r) => `  ${r.id}: ${r.note}`);
  return [...out, ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}
