/**
 * A fuzz run's preparer prepares the lanes' inputs before their turn: in order and each once, at most AHEAD beyond
 * the one in flight, a lane with nothing prepared first, and beyond that only in turns of the event loop in which no
 * answer came in; a failure while preparing ahead reaches the lane when it takes that input, never as an unhandled
 * rejection; nothing is prepared for a closed round. A lifecycle scenario is prepared like a case (its deliveries
 * built, with the twins its commands deliver, in the order running it asks for them), so on one lane a seed claims
 * the same timestamps in the same order (test/a-seed-sends-the-same-bytes-as-before.test.ts pins the bytes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../engine/http.js';
import { DeliveryGenerator } from '../generators/deliveries.js';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { ZOOM, zoomSignature } from '../profiles/zoom.js';
import { caseArbitrary } from '../suites/fuzz-cases.js';
import { freshlySigned, fuzzInputArbitrary, prepareCase, prepareScenario, SIGNED_FRESH_MS, type FuzzInput, type Prepared, type PreparedCase } from '../suites/fuzz-inputs.js';
import { AHEAD, Preparer, type Round } from '../suites/fuzz-rounds.js';
import { scenarioArbitrary, twinSteps, type ScenarioModel, type ScenarioReal } from '../suites/lifecycle-scenario.js';

/** Inputs whose kind follows `kinds` (by draw order), each carrying its index. */
function inputs(kinds: readonly FuzzInput['kind'][]): { input: fc.Arbitrary<FuzzInput>; numRuns: number } {
  let drawn = 0;
  // fc.sample draws them in order: the nth value gets the nth kind.
  const input = fc.constant(null).map(() => {
    const index = drawn++;
    return { kind: kinds[index]!, value: index } as unknown as FuzzInput;
  });
  return { input, numRuns: kinds.length };
}

/** A prepare that records the index of each input it prepares. */
function recording(prepared: number[], fail?: number): (value: FuzzInput) => Prepared {
  return (value) => {
    const index = (value as unknown as { value: number }).value;
    if (index === fail) throw new Error(`cannot build input ${index}`);
    prepared.push(index);
    return value as unknown as Prepared;
  };
}

/** A round of inputs of those kinds on a preparer of its own, and the indexes of the inputs it prepared. */
function opened(kinds: readonly FuzzInput['kind'][]): { round: Round; prepared: number[] } {
  const { input, numRuns } = inputs(kinds);
  const prepared: number[] = [];
  return { round: new Preparer().open(input, recording(prepared), 1, numRuns), prepared };
}

/** The lane takes input `index` and sends it: it is in flight. */
const sendNext = async (round: Round, index: number) => {
  await round.take(index);
  round.whileInFlight(index);
};

const turns = async (count: number) => {
  for (let turn = 0; turn < count; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
};

const events = WEBHOOK_SYSTEMS.flatMap((system) => loadBundledSpec(system).events);

describe('a fuzz run prepares its lanes\' inputs ahead, in order', () => {
  it('prepares up to AHEAD inputs beyond the one in flight while no answer comes, each once, in order', async () => {
    const { round, prepared } = opened(Array(30).fill('case'));
    await sendNext(round, 0);
    await turns(AHEAD + 10);
    expect(prepared).toEqual(Array.from({ length: AHEAD + 1 }, (_, index) => index));
    // The lane moves on: what was prepared is handed out, nothing is prepared twice, the rest in order.
    for (let index = 1; index < round.size; index++) {
      await sendNext(round, index);
      await turns(2);
    }
    expect(prepared).toEqual(Array.from({ length: round.size }, (_, index) => index));
    round.close();
  });

  it("a round's inputs are the values fast-check samples for its seed, each drawn when it is prepared", async () => {
    const input = fuzzInputArbitrary(new DeliveryGenerator(3), events);
    let scenarios = 0;
    for (const seed of [1, 2, 3]) {
      const expected = fc.sample(input, { seed, numRuns: 100 });
      const got: FuzzInput[] = [];
      const round = new Preparer().open(input, (value) => (got.push(value), value as unknown as Prepared), seed, 100);
      for (let index = 0; index < round.size; index++) {
        await sendNext(round, index);
        if (index % 7 === 0) await turns(3);
      }
      round.close();
      expect(got).toHaveLength(expected.length);
      got.forEach((value, index) => {
        const want = expected[index]!;
        if (value.kind === 'scenario' && want.kind === 'scenario') {
          scenarios++;
          // fast-check's command sequences are new objects on every draw: the same commands, in the same order.
          expect({ ...value.value, commands: String(value.value.commands) }).toEqual({ ...want.value, commands: String(want.value.commands) });
          expect([...value.value.commands].map((item) => JSON.stringify(item))).toEqual([...want.value.commands].map((item) => JSON.stringify(item)));
        } else expect(value).toStrictEqual(want);
      });
    }
    expect(scenarios).toBeGreaterThan(5);
  });

  it('prepares past a lifecycle scenario like past a case, in order', async () => {
    const { round, prepared } = opened(['case', 'scenario', 'case', 'scenario', 'case', 'case']);
    await sendNext(round, 0);
    await turns(AHEAD + 10);
    expect(prepared).toEqual([0, 1, 2, 3, 4, 5]);
    round.close();
  });

  it('serves a lane with nothing prepared before one with inputs prepared', async () => {
    const preparer = new Preparer();
    const first = inputs(Array(20).fill('case'));
    const second = inputs(Array(20).fill('case'));
    const preparedFirst: number[] = [];
    const preparedSecond: number[] = [];
    const a = preparer.open(first.input, recording(preparedFirst), 1, first.numRuns);
    await sendNext(a, 0);
    await turns(4);
    const b = preparer.open(second.input, recording(preparedSecond), 2, second.numRuns);
    await sendNext(b, 0);
    const before = preparedFirst.length;
    await turns(1);
    // The turn after the second lane took its input prepares the second lane's next one, not the first lane's.
    expect(preparedSecond).toEqual([0, 1]);
    expect(preparedFirst).toHaveLength(before);
    a.close();
    b.close();
  });

  it('while answers keep coming, prepares only what a lane sends next', async () => {
    const { round, prepared } = opened(Array(60).fill('case'));
    // No answer comes: the lane's next inputs are prepared, AHEAD of the one in flight.
    await sendNext(round, 0);
    await turns(AHEAD + 10);
    expect(prepared).toHaveLength(AHEAD + 1);
    // An answer comes in every turn (the lane takes an input each time): what it has prepared is not topped up...
    let index = 1;
    for (; index < AHEAD; index++) {
      await sendNext(round, index);
      await turns(1);
      expect(prepared).toHaveLength(AHEAD + 1);
    }
    // ...and once it has taken all of it, only the input it sends next is prepared.
    for (; index < AHEAD + 20; index++) {
      await sendNext(round, index);
      await turns(1);
      expect(prepared.length).toBeLessThanOrEqual(index + 2);
    }
    // Answers stop: the turns go into the inputs to come again.
    await turns(AHEAD + 10);
    expect(prepared).toHaveLength(index + AHEAD);
    round.close();
  });

  it('gives a failure while preparing ahead to the lane when it takes that input', async () => {
    const { input, numRuns } = inputs(['case', 'case', 'case']);
    const round = new Preparer().open(input, recording([], 1), 1, numRuns);
    await sendNext(round, 0);
    await turns(AHEAD + 5);
    await expect(round.take(1)).rejects.toThrow('cannot build input 1');
    round.close();
  });

  it('prepares nothing more once closed', async () => {
    const { round, prepared } = opened(Array(10).fill('case'));
    await sendNext(round, 0);
    round.close();
    await turns(AHEAD + 5);
    expect(prepared).toEqual([0]);
  });

  it("builds a scenario's twins in the order running its commands asks for them", async () => {
    const scenarios = fc.sample(scenarioArbitrary(events)!, { seed: 11, numRuns: 200 });
    let withTwins = 0;
    for (const scenario of scenarios) {
      const prepared = prepareScenario(new DeliveryGenerator(3), events, scenario, 1);
      const asked: number[] = [];
      const acknowledged = { response: { status: 200 } } as unknown as Exchange;
      const real: ScenarioReal = {
        lifecycle: prepared.lifecycle,
        twin: (index) => {
          if (!asked.includes(index)) asked.push(index);
          return prepared.twins.get(index)!;
        },
        observer: undefined,
        appliedBefore: async () => 0,
        send: async () => acknowledged,
        together: async (_body, labels) => labels.map(() => acknowledged),
        log: [],
        nextGroup: () => 0,
      };
      await fc.asyncModelRun(() => ({ model: { delivered: new Set<number>() } as ScenarioModel, real }), scenario.commands);
      expect(twinSteps(scenario, prepared.lifecycle.deliveries.length)).toEqual(asked);
      expect([...prepared.twins.keys()]).toEqual(asked);
      if (asked.length > 0) withTwins++;
    }
    expect(withTwins).toBeGreaterThan(50);
  });

  it('signs a case again when it waited for its turn longer than SIGNED_FRESH_MS: a fresh timestamp, the same signature spec', () => {
    const signer = { url: 'http://127.0.0.1:9/zoom/webhook', secret: 'a-test-secret' };
    const generator = new DeliveryGenerator(5);
    const cases = fc.sample(caseArbitrary(generator, events), { seed: 5, numRuns: 300 }).map((fuzzCase) => prepareCase(generator, signer, fuzzCase));
    const valid = cases.filter((prepared) => prepared.signature.kind === 'valid');
    const forged = cases.filter((prepared) => prepared.signature.kind !== 'valid' && prepared.request.headers[ZOOM.timestampHeader] !== undefined);
    expect(valid.length).toBeGreaterThan(10);
    expect(forged.length).toBeGreaterThan(10);
    for (const prepared of cases) {
      // Young enough: sent as prepared.
      expect(freshlySigned(signer, prepared, prepared.signedAt + SIGNED_FRESH_MS)).toBe(prepared);
    }
    const stamp = (headers: Record<string, string>) => Number(headers[ZOOM.timestampHeader]);
    for (const prepared of [...valid, ...forged]) {
      // Prepared a minute before its turn (the clock it was signed by is moved back): signed again now.
      const old: PreparedCase = { ...prepared, signedAt: prepared.signedAt - 60_000, request: { ...prepared.request, headers: { ...prepared.request.headers, [ZOOM.timestampHeader]: String(stamp(prepared.request.headers) - 60) } } };
      const now = Date.now();
      const fresh = freshlySigned(signer, old, now);
      expect(fresh.signedAt).toBe(now);
      // The timestamp is as far from the moment of signing as the spec puts it (forgeries may move it), from now.
      const offset = (headers: Record<string, string>, at: number) => stamp(headers) - Math.floor(at / 1000);
      expect(Math.abs(offset(fresh.request.headers, now) - offset(prepared.request.headers, prepared.signedAt))).toBeLessThanOrEqual(1);
      expect(fresh.body).toBe(prepared.body);
      expect(fresh.request.traits).toEqual(prepared.request.traits);
      const verifies = fresh.request.headers[ZOOM.signatureHeader] === zoomSignature(signer.secret, fresh.request.headers[ZOOM.timestampHeader]!, fresh.body);
      expect(verifies).toBe(prepared.signature.kind === 'valid');
    }
  });
});
