// The one way a lane, an evaluation arm or a judge names a model: a string key for a catalog model
// (or any transformers.js id on the model host), a model file the user added, or a model on a server
// the user added. Keys are stable, so runs record them and results group by them.

export type ModelRef =
  | { kind: 'catalog'; id: string }
  | { kind: 'file'; id: string }
  | { kind: 'server'; server: string; model: string };

export function modelKey(ref: ModelRef): string {
  switch (ref.kind) {
    case 'catalog':
      return `catalog:${ref.id}`;
    case 'file':
      return `file:${ref.id}`;
    case 'server':
      return `server:${ref.server}|${ref.model}`;
  }
}

/** The reference a key names; a bare id (runs stored before keys existed) is a catalog id. */
export function parseModelKey(key: string): ModelRef {
  if (key.startsWith('catalog:')) return { kind: 'catalog', id: key.slice(8) };
  if (key.startsWith('file:')) return { kind: 'file', id: key.slice(5) };
  if (key.startsWith('server:')) {
    const rest = key.slice(7);
    const bar = rest.indexOf('|');
    if (bar > 0) return { kind: 'server', server: rest.slice(0, bar), model: rest.slice(bar + 1) };
  }
  return { kind: 'catalog', id: key };
}

export const catalogKey = (id: string): string => modelKey({ kind: 'catalog', id });

/** Models that run in this tab compete for its memory; server models do not. */
export function runsInBrowser(key: string): boolean {
  return parseModelKey(key).kind !== 'server';
}
