/**
 * Where a fuzz lane's rounds come from: the inputs fast-check draws for the round's seed, in order, each case
 * prepared (built and signed) while the input before it is in flight, so that a lane sends its next request as soon
 * as the last one was answered. (Drawing and preparing them on a worker thread instead was measured slower on two
 * cores shared with the receiver: 31% of autocannon's rate against 42%, `npm run bench -- fuzz-load`.)
 */
import fc from 'fast-check';
import { drawn } from '../generators/fast-draw.js';
import type { FuzzInput, Prepared } from './fuzz-inputs.js';

export interface Round {
  readonly size: number;
  /** Input `index`, prepared (inputs are taken in order). */
  take(index: number): Promise<Prepared>;
  /** Called while input `index` is in flight: the next input is prepared meanwhile. */
  whileInFlight(index: number): Promise<void>;
  /** The lane is done with the round (finished, failed or stopped). */
  close(): void;
}

/** A lane's round: the `numRuns` inputs fast-check draws for `seed`, each prepared while the one before is in flight. */
export function openRound(input: fc.Arbitrary<FuzzInput>, prepare: (value: FuzzInput) => Prepared, seed: number, numRuns: number): Round {
  // The very values fast-check draws for the seed, without its shrinking bookkeeping (generators/fast-draw.ts).
  const values = fc.sample(drawn(input), { seed, numRuns });
  const ready = new Map<number, Prepared>();
  return {
    size: values.length,
    take: async (index) => {
      const prepared = ready.get(index) ?? prepare(values[index]!);
      ready.delete(index);
      return prepared;
    },
    whileInFlight: async (index) => {
      // After a lifecycle the next input waits until the lifecycle is over: it draws its deliveries as it runs.
      if (values[index]!.kind !== 'case' || index + 1 >= values.length) return;
      // Pending I/O first: answers to other lanes are not kept waiting.
      await new Promise<void>((resolve) => setImmediate(resolve));
      ready.set(index + 1, prepare(values[index + 1]!));
    },
    close: () => ready.clear(),
  };
}
