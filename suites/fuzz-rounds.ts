/**
 * Where a fuzz lane's rounds come from: the inputs fast-check draws for the round's seed, in order, each prepared
 * (a case built and signed, a lifecycle's deliveries built) before its turn, so that a lane sends its next request as
 * soon as the last one was answered.
 *
 * A run's `Preparer` prepares the inputs of every open round, one per turn of the event loop (answers that came in
 * are handled between two):
 * - first, for a lane with nothing prepared, its next input, in any turn (what the lane sends next);
 * - then, only in a turn in which no lane took an input (no answer came in: the receiver is busy, with a large body
 *   say), the next input of the lane with the fewest prepared, up to AHEAD of the one in flight.
 *
 * So the time this process would spend waiting for the receiver goes into the inputs to come, and less of it is left
 * to do once answers come in; while answers keep coming, they come first.
 *
 * Inputs of a round are prepared in order, each once: on one lane a seed claims the same timestamps in the same order,
 * so it sends the same bytes. (Drawing and preparing them on a worker thread instead was measured slower on two cores
 * shared with the receiver: 31% of autocannon's rate against 42%, `npm run bench -- fuzz-load`.)
 */
import fc from 'fast-check';
import { drawn } from '../generators/fast-draw.js';
import type { FuzzInput, Prepared } from './fuzz-inputs.js';

/** Inputs a lane may have prepared beyond the one in flight, at most. */
export const AHEAD = 8;

/** Where fast-check draws one value of a sample from: the random generator and bias it hands the arbitrary. */
interface DrawPoint {
  random: fc.Random;
  biasFactor: number | undefined;
}

/**
 * The draw points of a sample, in order. A value drawn later from a point is the value `fc.sample` gives at that
 * place with the same seed: fast-check hands each value a generator of its own.
 */
class DrawPoints extends fc.Arbitrary<DrawPoint> {
  generate(random: fc.Random, biasFactor: number | undefined): fc.Value<DrawPoint> {
    return new fc.Value({ random: random.clone(), biasFactor }, undefined);
  }
  canShrinkWithoutContext(_value: unknown): _value is DrawPoint {
    return false;
  }
  shrink(): fc.Stream<fc.Value<DrawPoint>> {
    return fc.Stream.nil();
  }
}
const DRAW_POINTS = new DrawPoints();

export interface Round {
  readonly size: number;
  /** Input `index`, prepared (inputs are taken in order); throws what preparing it threw. */
  take(index: number): Promise<Prepared>;
  /** Called once input `index` is in flight: the inputs after it are prepared meanwhile, in the background. */
  whileInFlight(index: number): void;
  /** The lane is done with the round (finished, failed or stopped): nothing more of it is prepared. */
  close(): void;
}

/** What the preparer sees of an open round. */
interface Preparing {
  /** Whether the round's next input may be prepared now (not too far ahead, not closed, nothing failed). */
  mayPrepare(): boolean;
  /** Inputs prepared beyond the one in flight. */
  readyCount(): number;
  prepareNext(): void;
}

/** Prepares the inputs of a run's open rounds ahead of their turn (see the module comment). */
export class Preparer {
  private readonly rounds = new Set<Preparing>();
  private scheduled = false;
  /** Inputs the lanes took so far, and how many they had taken at the last turn. */
  private taken = 0;
  private takenAtLastTurn = 0;

  /** Opens a lane's round: the `numRuns` inputs fast-check draws for `seed`. */
  open(input: fc.Arbitrary<FuzzInput>, prepare: (value: FuzzInput) => Prepared, seed: number, numRuns: number): Round {
    // The very values fast-check draws for the seed, each drawn when it is prepared (a round opens at once, and holds
    // no value longer than it needs), without fast-check's shrinking bookkeeping (generators/fast-draw.ts).
    const points = fc.sample(DRAW_POINTS, { seed, numRuns });
    const arbitrary = drawn(input);
    const valueAt = (index: number): FuzzInput => {
      const point = points[index]!;
      return arbitrary.generate(point.random, point.biasFactor).value;
    };
    const ready = new Map<number, Prepared>();
    /** Inputs below this index were prepared (or are being taken). */
    let preparedTo = 0;
    /** The input the lane took last. */
    let current = -1;
    let closed = false;
    /** What preparing an input ahead threw: thrown to the lane when it takes that input. */
    let failed: { index: number; error: unknown } | undefined;
    const round: Preparing = {
      mayPrepare: () => !closed && failed === undefined && preparedTo < points.length && preparedTo <= current + AHEAD,
      readyCount: () => preparedTo - current - 1,
      prepareNext: () => {
        const index = preparedTo++;
        try {
          ready.set(index, prepare(valueAt(index)));
        } catch (error) {
          failed = { index, error };
        }
      },
    };
    this.rounds.add(round);
    return {
      size: points.length,
      take: async (index) => {
        current = index;
        this.taken++;
        if (failed?.index === index) throw failed.error;
        if (index >= preparedTo) {
          preparedTo = index + 1;
          return prepare(valueAt(index));
        }
        const prepared = ready.get(index)!;
        ready.delete(index);
        return prepared;
      },
      whileInFlight: () => this.wake(),
      close: () => {
        closed = true;
        ready.clear();
        this.rounds.delete(round);
      },
    };
  }

  private wake(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.turn);
  }

  private readonly turn = (): void => {
    this.scheduled = false;
    const answered = this.taken !== this.takenAtLastTurn;
    this.takenAtLastTurn = this.taken;
    let next: Preparing | undefined;
    for (const round of this.rounds) if (round.mayPrepare() && (next === undefined || round.readyCount() < next.readyCount())) next = round;
    // Nothing to prepare: the event loop may sleep until an answer comes.
    if (next === undefined) return;
    if (next.readyCount() === 0 || !answered) next.prepareNext();
    this.wake();
  };
}
