// The stored server list: read defensively (a corrupted entry never breaks start-up), written with
// only its own fields (an API key cannot slip in), keys kept under their own entry.

import { describe, expect, it } from 'vitest';
import { loadKeys, loadServers, saveKeys, saveServers, serverOrigins, SERVER_KEYS_KEY, SERVERS_KEY, type StoredServer } from '../../../src/state/server-list';
import { memoryStorage } from '../memory-storage';

const server: StoredServer = { id: 's1', baseUrl: 'http://localhost:11434/v1', kind: 'ollama', models: [{ id: 'qwen2.5:7b' }, { id: 'llama3.1:70b', contextLength: 131072 }], addedAt: 1, listedAt: 2, consentedAt: null };

describe('server list storage', () => {
  it('round-trips servers and keys under separate entries', () => {
    const s = memoryStorage();
    expect(saveServers(s, [server])).toBe(true);
    expect(saveKeys(s, { s1: 'sk-secret' })).toBe(true);
    expect(loadServers(s)).toEqual([server]);
    expect(loadKeys(s)).toEqual({ s1: 'sk-secret' });
    expect(s.data.get(SERVERS_KEY)).not.toContain('sk-secret');
    expect(s.data.get(SERVER_KEYS_KEY)).toContain('sk-secret');
    // No key left: the entry goes.
    saveKeys(s, { s1: '  ' });
    expect(s.data.has(SERVER_KEYS_KEY)).toBe(false);
  });

  it('writes only the known fields, whatever the object carries', () => {
    const s = memoryStorage();
    const sneaky = { ...server, apiKey: 'sk-leak', models: [{ id: 'm', apiKey: 'sk-leak2' }] };
    saveServers(s, [sneaky]);
    expect(s.data.get(SERVERS_KEY)).not.toContain('sk-leak');
    expect(loadServers(s)[0].models).toEqual([{ id: 'm' }]);
  });

  it('drops what it cannot read instead of failing', () => {
    const s = memoryStorage();
    s.setItem(SERVERS_KEY, '{oops');
    expect(loadServers(s)).toEqual([]);
    s.setItem(SERVERS_KEY, JSON.stringify({ v: 1, servers: [{ id: 'x', baseUrl: 'ftp://h/' }, { id: 'y' }, null, { ...server, kind: 'mystery', consentedAt: 'yes' }, { ...server }] }));
    const read = loadServers(s);
    expect(read).toHaveLength(1); // the duplicate id is dropped, the bad ones skipped
    expect(read[0]).toMatchObject({ id: 's1', kind: 'other', consentedAt: null });
    s.setItem(SERVER_KEYS_KEY, JSON.stringify({ a: 5, b: 'k' }));
    expect(loadKeys(s)).toEqual({ b: 'k' });
    expect(loadServers(undefined)).toEqual([]);
  });

  it('a refused write says so', () => {
    const full = { setItem: () => { throw new DOMException('full', 'QuotaExceededError'); }, removeItem: () => undefined };
    expect(saveServers(full, [server])).toBe(false);
  });

  it('origins, once each', () => {
    expect(serverOrigins([server, { baseUrl: 'http://localhost:11434/other/v1' }, { baseUrl: 'https://gpu.example:8443/v1' }])).toEqual(['http://localhost:11434', 'https://gpu.example:8443']);
  });
});
