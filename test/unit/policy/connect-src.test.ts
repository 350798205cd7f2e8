// The connect-src the page and its workers run under: 'self', the model host with the CDN hosts it
// redirects to, and exactly the servers the user added; read back from the policy in force; what is
// missing after a change (then the page must reload).

import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST_SETTING, hostConnectSources, mirrorHostSetting, resolveHosts } from '../../../src/models/hosts';
import { activeSources, connectDirective, connectSources, missingSources, parseDirective, sourcesNow, withDirective } from '../../../src/policy/connect-src';
import { SERVERS_KEY } from '../../../src/state/server-list';

const APP = 'https://example.org/method-lab/';

function storage(entries: Record<string, string>): Pick<Storage, 'getItem'> {
  return { getItem: (k) => entries[k] ?? null };
}

describe('model host sources', () => {
  it('Hugging Face: the site, its CDN and Xet storage hosts (redirect targets), and the web-llm libraries', () => {
    expect(hostConnectSources(resolveHosts(DEFAULT_HOST_SETTING, APP))).toEqual([
      'https://huggingface.co',
      'https://*.huggingface.co',
      'https://*.hf.co',
      'https://raw.githubusercontent.com',
    ]);
  });
  it('a mirror: its origin and its subdomains (its CDN); an IP or localhost mirror gets no wildcard', () => {
    expect(hostConnectSources(resolveHosts(mirrorHostSetting('https://hf-mirror.com/'), APP))).toEqual(['https://hf-mirror.com', 'https://*.hf-mirror.com']);
    expect(hostConnectSources(resolveHosts(mirrorHostSetting('http://10.1.2.3:8080/hf/'), APP))).toEqual(['http://10.1.2.3:8080']);
    expect(hostConnectSources(resolveHosts(mirrorHostSetting('http://localhost:9000/'), APP))).toEqual(['http://localhost:9000']);
  });
  it('same origin: the app itself only, no wildcard for its domain', () => {
    expect(hostConnectSources(resolveHosts({ mode: 'same-origin', mirrorUrl: '' }, APP))).toEqual(['https://example.org']);
  });
});

describe('connect-src', () => {
  it('nothing but self, blob:, data: and the host when no server is added; each added server by origin', () => {
    const h = resolveHosts({ mode: 'same-origin', mirrorUrl: '' }, APP);
    expect(connectDirective(connectSources(h, []))).toBe("connect-src 'self' blob: data: https://example.org");
    expect(connectSources(h, ['http://localhost:11434', 'http://127.0.0.1:8000'])).toEqual(["'self'", 'blob:', 'data:', 'https://example.org', 'http://localhost:11434', 'http://127.0.0.1:8000']);
    // An invalid host setting loads nothing, so it adds nothing.
    expect(connectSources(null, [])).toEqual(["'self'", 'blob:', 'data:']);
  });

  it('is built from what is stored: the saved host (or ?modelHost=) and the saved servers', () => {
    const saved = storage({
      'method-lab:prefs': JSON.stringify({ host: { mode: 'mirror', mirrorUrl: 'https://hf-mirror.com/' } }),
      [SERVERS_KEY]: JSON.stringify({ v: 1, servers: [{ id: 'a', baseUrl: 'http://localhost:11434/v1', kind: 'ollama', models: [] }, { id: 'b', baseUrl: 'http://gpu-box.lan:8000/v1', kind: 'vllm', models: [] }] }),
    });
    expect(sourcesNow({ storage: saved, search: '', appBase: APP })).toEqual(["'self'", 'blob:', 'data:', 'https://hf-mirror.com', 'https://*.hf-mirror.com', 'http://localhost:11434', 'http://gpu-box.lan:8000']);
    expect(sourcesNow({ storage: saved, search: '?modelHost=same-origin', appBase: APP })).toEqual(["'self'", 'blob:', 'data:', 'https://example.org', 'http://localhost:11434', 'http://gpu-box.lan:8000']);
    // Nothing stored (or storage unusable): the default host only.
    expect(sourcesNow({ storage: undefined, search: '', appBase: APP })).toEqual(["'self'", 'blob:', 'data:', 'https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co', 'https://raw.githubusercontent.com']);
    // A corrupted list is ignored rather than breaking start-up.
    expect(sourcesNow({ storage: storage({ [SERVERS_KEY]: '{not json' }), search: '?modelHost=same-origin', appBase: APP })).toEqual(["'self'", 'blob:', 'data:', 'https://example.org']);
  });

  it('replaces the connect-src of a full policy and leaves the other directives alone', () => {
    const fixed = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' http: https: blob: data:; object-src 'none'";
    const out = withDirective(fixed, "connect-src 'self' blob: data: http://localhost:11434");
    expect(out).toBe("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' blob: data: http://localhost:11434; object-src 'none'");
    expect(parseDirective(out)).toEqual(["'self'", 'blob:', 'data:', 'http://localhost:11434']);
    expect(withDirective("default-src 'self'", "connect-src 'self'")).toBe("default-src 'self'; connect-src 'self'");
  });

  it('reads the policy in force from the element boot.ts writes; lists what a new setting would need', () => {
    const doc = { querySelector: (sel: string) => (sel === 'meta[data-connect-policy]' ? { getAttribute: () => "default-src 'self'; connect-src 'self' blob: data: http://localhost:11434" } : null) };
    const active = activeSources(doc as unknown as Document)!;
    expect(active).toEqual(["'self'", 'blob:', 'data:', 'http://localhost:11434']);
    expect(missingSources(["'self'", 'http://localhost:11434'], active)).toEqual([]);
    expect(missingSources(["'self'", 'http://localhost:11434', 'http://127.0.0.1:8000'], active)).toEqual(['http://127.0.0.1:8000']);
    expect(activeSources({ querySelector: () => null } as unknown as Document)).toBeNull();
  });
});
