/**
 * A fuzz lane's round prepares the inputs after the one in flight, in the background, in order and each once: at most
 * AHEAD of the one in flight, never past a lifecycle scenario that has not run (it claims its timestamps as it
 * runs, so on one lane a seed claims them in the same order), and a failure while preparing ahead reaches the lane
 * when it takes that input, never as an unhandled rejection.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FuzzInput, Prepared } from '../suites/fuzz-inputs.js';
import { AHEAD, openRound } from '../suites/fuzz-rounds.js';

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

const turns = async (count: number) => {
  for (let turn = 0; turn < count; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('a fuzz round prepares inputs ahead, in order', () => {
  it('prepares up to AHEAD inputs after the one in flight, each once, in order', async () => {
    const { input, numRuns } = inputs(Array(20).fill('case'));
    const prepared: number[] = [];
    const round = openRound(input, (value) => (prepared.push((value as unknown as { value: number }).value), value as unknown as Prepared), 1, numRuns);
    await round.take(0);
    round.whileInFlight(0);
    await turns(AHEAD + 5);
    expect(prepared).toEqual(Array.from({ length: AHEAD + 1 }, (_, index) => index));
    // The lane moves on: what was prepared is handed out, nothing is prepared twice.
    for (let index = 1; index < numRuns; index++) {
      await round.take(index);
      round.whileInFlight(index);
      await turns(2);
    }
    expect(prepared).toEqual(Array.from({ length: numRuns }, (_, index) => index));
    round.close();
  });

  it('waits for a lifecycle scenario to be taken and over before preparing what follows it', async () => {
    const { input, numRuns } = inputs(['case', 'case', 'scenario', 'case', 'case', 'case']);
    const prepared: number[] = [];
    const round = openRound(input, (value) => (prepared.push((value as unknown as { value: number }).value), value as unknown as Prepared), 1, numRuns);
    await round.take(0);
    round.whileInFlight(0);
    await turns(AHEAD + 5);
    // 1 and the scenario (2) itself, not 3: the scenario has not run.
    expect(prepared).toEqual([0, 1, 2]);
    await round.take(1);
    round.whileInFlight(1);
    await round.take(2);
    round.whileInFlight(2); // a scenario in flight: nothing is prepared past it
    await turns(AHEAD + 5);
    expect(prepared).toEqual([0, 1, 2]);
    await round.take(3);
    expect(prepared).toEqual([0, 1, 2, 3]);
    round.whileInFlight(3);
    await turns(AHEAD + 5);
    expect(prepared).toEqual([0, 1, 2, 3, 4, 5]);
    round.close();
  });

  it('gives a failure while preparing ahead to the lane when it takes that input', async () => {
    const { input, numRuns } = inputs(['case', 'case', 'case']);
    const round = openRound(
      input,
      (value) => {
        if ((value as unknown as { value: number }).value === 1) throw new Error('cannot build input 1');
        return value as unknown as Prepared;
      },
      1,
      numRuns,
    );
    await round.take(0);
    round.whileInFlight(0);
    await turns(AHEAD + 5);
    await expect(round.take(1)).rejects.toThrow('cannot build input 1');
    round.close();
  });

  it('prepares nothing more once closed', async () => {
    const { input, numRuns } = inputs(Array(10).fill('case'));
    const prepared: number[] = [];
    const round = openRound(input, (value) => (prepared.push((value as unknown as { value: number }).value), value as unknown as Prepared), 1, numRuns);
    await round.take(0);
    round.whileInFlight(0);
    round.close();
    await turns(AHEAD + 5);
    expect(prepared).toEqual([0]);
  });
});
