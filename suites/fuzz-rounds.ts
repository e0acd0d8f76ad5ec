/**
 * Where a fuzz lane's rounds come from: the inputs fast-check draws for the round's seed, in order, each case
 * prepared (built and signed) before its turn, so that a lane sends its next request as soon as the last one was
 * answered. Two sources:
 *
 * - `roundsInThisThread`: drawn here; each case is prepared while the input before it is in flight;
 * - `roundsFromWorker`: drawn and prepared on a worker thread (suites/fuzz-round-worker.ts), ahead of the lanes:
 *   this thread only sends and judges. The run's event_ts stay unique: this thread takes each case's event_ts
 *   for the run as the case arrives, and prepares a case itself in the rare event that it was taken already.
 */
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import type { WebhookEvent } from '../specs/catalog.js';
import type { FuzzInput, Prepared, Signer } from './fuzz-inputs.js';
import { eventKey, fromWire, type FromWorker, type RoundWorkerData, type ToWorker, type WireInput } from './fuzz-round-wire.js';
import { scenarioCommands } from './lifecycle-scenario.js';

export interface Round {
  readonly size: number;
  /** Input `index`, prepared (inputs are taken in order). */
  take(index: number): Promise<Prepared>;
  /** Called while input `index` is in flight: the source may prepare what comes next. */
  whileInFlight(index: number): Promise<void>;
  /** The lane is done with the round (finished, failed or stopped). */
  close(): void;
}

export interface RoundSource {
  open(lane: number, round: number, seed: number, numRuns: number): Round;
  /** The lane will probably run this round next: it may be prepared ahead. */
  expect(lane: number, round: number, seed: number, numRuns: number): void;
  close(): Promise<void>;
}

/** Rounds drawn and prepared in this thread: each case while the input before it is in flight. */
export function roundsInThisThread(input: fc.Arbitrary<FuzzInput>, prepare: (value: FuzzInput) => Prepared): RoundSource {
  return {
    open(_lane, _round, seed, numRuns) {
      const values = fc.sample(input, { seed, numRuns });
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
    },
    expect: () => {},
    close: async () => {},
  };
}

export interface WorkerRoundsOptions {
  events: readonly WebhookEvent[];
  seed: number;
  signer: Signer;
  /** Takes `eventTs` for the run: false when the run has it already. */
  claim(eventTs: number): boolean;
  /** Input `index` of the round drawn from `seed`, prepared in this thread (a case whose event_ts was taken). */
  prepareHere(seed: number, index: number): Prepared;
}

interface WorkerRound {
  seed: number;
  items: Map<number, WireInput>;
  waiting: Map<number, { resolve: (item: WireInput) => void; reject: (error: Error) => void }>;
}

/** Rounds drawn and prepared on a worker thread, ahead of the lanes. */
export function roundsFromWorker(options: WorkerRoundsOptions): RoundSource {
  const data: RoundWorkerData = { events: options.events, seed: options.seed, signer: options.signer };
  const worker = startWorker(data);
  const events = new Map(options.events.map((event) => [eventKey(event.system, event.name), event]));
  const rounds = new Map<string, WorkerRound>();
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    for (const round of rounds.values()) for (const waiter of round.waiting.values()) waiter.reject(failure);
  };
  worker.on('message', (message: FromWorker) => {
    const round = rounds.get(message.key);
    if (!round) return;
    for (const item of message.items) {
      const waiter = round.waiting.get(item.index);
      if (waiter) {
        round.waiting.delete(item.index);
        waiter.resolve(item);
      } else round.items.set(item.index, item);
    }
  });
  worker.on('error', (error) => fail(new Error(`the fuzz round worker failed: ${error.stack ?? error.message}`)));
  worker.on('exit', (code) => fail(new Error(`the fuzz round worker stopped (exit code ${code})`)));
  const post = (message: ToWorker) => worker.postMessage(message);
  const ask = (key: string, seed: number, numRuns: number, urgent: boolean) => {
    if (!rounds.has(key)) rounds.set(key, { seed, items: new Map(), waiting: new Map() });
    post({ type: 'round', key, seed, numRuns, urgent });
  };
  const ready = (item: WireInput, seed: number): Prepared => {
    if (item.kind === 'scenario') {
      return { kind: 'scenario', value: { kind: item.scenario.kind, index: item.scenario.index, commands: scenarioCommands(item.scenario.steps) } };
    }
    // The worker keeps its own event_ts unique; this thread's lifecycles and shrinks take theirs here: the rare
    // case whose event_ts the run has already is prepared again here, where it gets another.
    if (item.eventTs !== undefined && !options.claim(item.eventTs)) return options.prepareHere(seed, item.index);
    return { kind: 'case', ...fromWire(item, events, options.signer.url) };
  };
  return {
    open(lane, roundNumber, seed, numRuns) {
      const key = `${lane}.${roundNumber}`;
      ask(key, seed, numRuns, true);
      const round = rounds.get(key)!;
      return {
        size: numRuns,
        take: async (index) => {
          if (failure) throw failure;
          let item = round.items.get(index);
          if (item) round.items.delete(index);
          else item = await new Promise<WireInput>((resolve, reject) => round.waiting.set(index, { resolve, reject }));
          return ready(item, round.seed);
        },
        whileInFlight: async () => {},
        close: () => {
          rounds.delete(key);
          post({ type: 'drop', key });
        },
      };
    },
    expect(lane, roundNumber, seed, numRuns) {
      const key = `${lane}.${roundNumber}`;
      if (!rounds.has(key)) ask(key, seed, numRuns, false);
    },
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}

/** The worker, from the compiled module; run from the TypeScript sources (tests, benchmarks), through tsx as here. */
function startWorker(data: RoundWorkerData): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const source = new URL('./fuzz-round-worker.ts', import.meta.url).href;
    const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`;
    return new Worker(code, { eval: true, workerData: data });
  }
  return new Worker(new URL('./fuzz-round-worker.js', import.meta.url), { workerData: data });
}
