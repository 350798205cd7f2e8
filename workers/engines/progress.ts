// Converts transformers.js progress callbacks into our Progress events, at most ~10 per second
// for byte counts (every callback would flood the page during a large download).

import type { Progress } from '../../src/protocol/messages';

type TjsProgress = { status: string; file?: string; name?: string; loaded?: number; total?: number };

export function tjsProgress(emit: (p: Progress) => void): (info: TjsProgress) => void {
  let last = 0;
  return (info) => {
    if (info.status === 'progress_total') {
      const now = Date.now();
      const finished = info.total !== undefined && info.loaded === info.total;
      if (now - last < 100 && !finished) return;
      last = now;
      emit({ kind: 'download', file: 'total', loaded: info.loaded ?? 0, total: info.total ?? 0 });
    } else if (info.status === 'initiate' && info.file) {
      emit({ kind: 'load', message: `fetching ${info.file}` });
    } else if (info.status === 'ready') {
      emit({ kind: 'load', message: 'ready' });
    }
  };
}
