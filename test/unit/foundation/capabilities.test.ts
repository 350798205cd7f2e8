import { describe, expect, it } from 'vitest';
import { chooseDevice, probeGpu, probeStorage } from '../../../src/models/capabilities';
import type { DevicePref } from '../../../src/protocol/messages';

type GpuArg = NonNullable<Parameters<typeof probeGpu>[0]>;
type Adapter = NonNullable<Awaited<ReturnType<GpuArg['requestAdapter']>>>;

const adapter = (over: Partial<Omit<Adapter, 'features'>> & { features?: string[] } = {}): Adapter => {
  const feats = new Set(over.features ?? []);
  return {
    limits: { maxBufferSize: 268_435_456, maxStorageBufferBindingSize: 134_217_728 },
    ...over,
    features: { has: (f: string) => feats.has(f) },
  } as Adapter;
};
const gpuWith = (a: Adapter | null) => ({ requestAdapter: async () => a });

describe('probeGpu', () => {
  it('no WebGPU API', async () => {
    const g = await probeGpu(undefined);
    expect(g.available).toBe(false);
    expect(g.reasonCode).toBe('no-api');
    expect(g.f16).toBe(false);
    expect(g.reason).toMatch(/navigator\.gpu/);
  });

  it('API present but no adapter', async () => {
    const g = await probeGpu(gpuWith(null));
    expect(g).toMatchObject({ available: false, reasonCode: 'no-adapter', f16: false });
  });

  it('requestAdapter throws (or rejects)', async () => {
    const rejecting = await probeGpu({ requestAdapter: async () => { throw new Error('GPU process crashed'); } });
    expect(rejecting).toMatchObject({ available: false, reasonCode: 'error', f16: false });
    expect(rejecting.reason).toContain('GPU process crashed');
    const throwing = await probeGpu({ requestAdapter: () => { throw 'plain string'; } });
    expect(throwing.reasonCode).toBe('error');
    expect(throwing.reason).toContain('plain string');
  });

  it('adapter with shader-f16, limits and info', async () => {
    const g = await probeGpu(
      gpuWith(
        adapter({
          features: ['shader-f16', 'timestamp-query'],
          limits: { maxBufferSize: 4_294_967_296, maxStorageBufferBindingSize: 2_147_483_648 },
          info: { vendor: 'nvidia', architecture: 'ampere', description: 'RTX' },
        }),
      ),
    );
    expect(g).toEqual({
      available: true,
      vendor: 'nvidia',
      architecture: 'ampere',
      description: 'RTX',
      isFallbackAdapter: false,
      f16: true,
      maxBufferSize: 4_294_967_296,
      maxStorageBufferBindingSize: 2_147_483_648,
    });
    expect(g.reasonCode).toBeUndefined();
  });

  it('adapter without shader-f16 and without info', async () => {
    const g = await probeGpu(gpuWith(adapter({ features: ['timestamp-query'] })));
    expect(g.available).toBe(true);
    expect(g.f16).toBe(false);
    expect(g.vendor).toBeUndefined();
    expect(g.isFallbackAdapter).toBe(false);
    expect(g.maxBufferSize).toBe(268_435_456);
    expect(g.maxStorageBufferBindingSize).toBe(134_217_728);
  });

  it('isFallbackAdapter from info, else from the adapter (older API)', async () => {
    expect((await probeGpu(gpuWith(adapter({ info: { isFallbackAdapter: true, architecture: 'swiftshader' } })))).isFallbackAdapter).toBe(true);
    expect((await probeGpu(gpuWith(adapter({ isFallbackAdapter: true })))).isFallbackAdapter).toBe(true);
    expect((await probeGpu(gpuWith(adapter({ info: { isFallbackAdapter: false }, isFallbackAdapter: true })))).isFallbackAdapter).toBe(false);
  });
});

describe('chooseDevice', () => {
  const cases: [DevicePref, boolean, { device: string; reason: boolean }][] = [
    ['auto', true, { device: 'webgpu', reason: false }],
    ['auto', false, { device: 'wasm', reason: false }],
    ['webgpu', true, { device: 'webgpu', reason: false }],
    ['webgpu', false, { device: 'wasm', reason: true }],
    ['wasm', true, { device: 'wasm', reason: false }],
    ['wasm', false, { device: 'wasm', reason: false }],
  ];
  for (const [pref, available, want] of cases) {
    it(`pref ${pref}, WebGPU ${available ? 'available' : 'missing'} → ${want.device}`, () => {
      const r = chooseDevice({ available }, pref);
      expect(r.device).toBe(want.device);
      if (want.reason) expect(r.fallbackReason).toMatch(/WebGPU was requested but is not available/);
      else expect(r.fallbackReason).toBeUndefined();
    });
  }
});

describe('probeStorage', () => {
  it('no StorageManager → all unknown', async () => {
    expect(await probeStorage(undefined)).toEqual({ usage: null, quota: null, persisted: null });
  });
  it('reads estimate and persisted', async () => {
    const sm = { estimate: async () => ({ usage: 1234, quota: 10_000 }), persisted: async () => true } as unknown as StorageManager;
    expect(await probeStorage(sm)).toEqual({ usage: 1234, quota: 10_000, persisted: true });
  });
  it('missing fields and failing calls become null', async () => {
    const partial = { estimate: async () => ({}), persisted: async () => false } as unknown as StorageManager;
    expect(await probeStorage(partial)).toEqual({ usage: null, quota: null, persisted: false });
    const failing = {
      estimate: () => Promise.reject(new Error('denied')),
      persisted: () => Promise.reject(new Error('denied')),
    } as unknown as StorageManager;
    expect(await probeStorage(failing)).toEqual({ usage: null, quota: null, persisted: null });
    const bare = {} as unknown as StorageManager;
    expect(await probeStorage(bare)).toEqual({ usage: null, quota: null, persisted: null });
  });
});
