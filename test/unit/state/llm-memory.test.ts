// Models in one tab share its memory: making room for one model never unloads another while it is
// still generating (a parallel evaluation with a judge model asks for both at once).
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogKey } from '../../../src/models/model-key';
import { ECHO, checkFixtures, llmState, prefs } from './harness';

beforeAll(checkFixtures);

const CANNED = 'lab-fixtures/qwen2-tokenizer-canned-reply';
const greedy = (n: number) => ({ maxNewTokens: n, temperature: 0, topP: 1 });

describe('making room', () => {
  it('waits for a running generation before unloading its model, which then loads again when asked', async () => {
    // A budget nothing fits beside anything else: every load unloads the other model.
    const { state } = llmState(prefs({ llmId: ECHO }), () => -1);
    const echo = catalogKey(ECHO);
    const canned = catalogKey(CANNED);
    await state.load(echo);
    const question = 'Please repeat this sentence about annual leave, travel expenses and VPN passwords back to me word for word.';
    const long = state.generate([{ role: 'user', content: question }], greedy(48), () => undefined, undefined, echo);
    // The other model is asked for while the first one generates.
    const other = state.generate([{ role: 'user', content: 'hi' }], greedy(64), () => undefined, undefined, canned);
    const [a, b] = await Promise.all([long, other]);
    expect(a.stopped).not.toBe('aborted');
    expect(a.text.length).toBeGreaterThan(0);
    expect(b.text).toContain('[offline test fixture]');
    expect(state.loaded.map((l) => l.key)).toEqual([canned]);
    // And back: the first model loads again.
    const again = await state.generate([{ role: 'user', content: 'once more' }], greedy(8), () => undefined, undefined, echo);
    expect(again.text).toContain('once more');
  });
});
