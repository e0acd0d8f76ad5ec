/**
 * Where a fuzz lane's rounds come from: the inputs fast-check draws for the round's seed, in order, each case
 * prepared (built and signed) ahead of its turn, while the inputs before it are in flight, so that a lane sends its
 * next request as soon as the last one was answered. (Drawing and preparing them on a worker thread instead was
 * measured slower on two cores shared with the receiver: 31% of autocannon's rate against 42%, `npm run bench --
 * fuzz-load`.)
 *
 * Preparing runs one input per turn of the event loop (answers that came in are handled between two), up to AHEAD
 * inputs ahead of the one in flight: the time the process would spend waiting for answers goes into the cases to
 * come, and less of it is left to do once answers come in. Inputs are prepared in order, and never past a lifecycle
 * scenario before it ran (it claims its timestamps as it runs): on one lane the same seed claims the same
 * timestamps in the same order, so it sends the same bytes.
 */
import fc from 'fast-check';
import type { FuzzInput, Prepared } from './fuzz-inputs.js';

/** Inputs prepared ahead of the one in flight, at most. */
export const AHEAD = Number(process.env.FUZZ_AHEAD ?? 3);

export interface Round {
  readonly size: number;
  /** Input `index`, prepared (inputs are taken in order). */
  take(index: number): Promise<Prepared>;
  /** Called once input `index` is in flight: the inputs after it are prepared meanwhile, in the background. */
  whileInFlight(index: number): void;
  /** The lane is done with the round (finished, failed or stopped). */
  close(): void;
}

/** A lane's round: the `numRuns` inputs fast-check draws for `seed`, each prepared while the ones before are in flight. */
export function openRound(input: fc.Arbitrary<FuzzInput>, prepare: (value: FuzzInput) => Prepared, seed: number, numRuns: number): Round {
  const values = fc.sample(input, { seed, numRuns });
  const ready = new Map<number, Prepared>();
  /** Inputs below this index were prepared (or taken). */
  let preparedTo = 0;
  /** The input the lane took last. */
  let current = -1;
  let closed = false;
  let filling = false;
  /** What preparing an input ahead threw: thrown to the lane when it takes that input. */
  let failed: { index: number; error: unknown } | undefined;
  const prepareAt = (index: number) => {
    ready.set(index, prepare(values[index]!));
    preparedTo = index + 1;
  };
  /** Whether the next input in order may be prepared now: not too far ahead, not past a lifecycle that has not run. */
  const mayPrepareNext = () => {
    const next = preparedTo;
    if (closed || failed || next >= values.length || next > current + AHEAD) return false;
    // After a lifecycle the inputs wait until the lifecycle is over: it claims its timestamps as it runs.
    return next === 0 || values[next - 1]!.kind === 'case' || current >= next;
  };
  const fill = async () => {
    filling = true;
    try {
      // Pending I/O first, and between two inputs: answers to other lanes are not kept waiting.
      for (;;) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (!mayPrepareNext()) return;
        try {
          prepareAt(preparedTo);
        } catch (error) {
          failed = { index: preparedTo, error };
          return;
        }
      }
    } finally {
      filling = false;
    }
  };
  return {
    size: values.length,
    take: async (index) => {
      current = index;
      if (failed?.index === index) throw failed.error;
      if (index >= preparedTo) prepareAt(index);
      const prepared = ready.get(index)!;
      ready.delete(index);
      return prepared;
    },
    whileInFlight: (index) => {
      if (values[index]!.kind !== 'case' || filling) return;
      void fill();
    },
    close: () => {
      closed = true;
      ready.clear();
    },
  };
}

