// An in-memory Web Storage (localStorage's interface) for Node tests; `data` lets a test read what
// was stored, or carry it into the next "page load".

export function memoryStorage(data = new Map<string, string>()): Storage & { data: Map<string, string> } {
  return {
    data,
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    key: (i) => [...data.keys()][i] ?? null,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}
