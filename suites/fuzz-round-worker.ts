/**
 * The worker thread that prepares fuzz rounds ahead of the lanes (suites/fuzz-rounds.ts `roundsFromWorker`): for
 * each round asked for, it draws the round's inputs from the round's seed (the very values fast-check draws on the
 * main thread) and builds and signs every case, then hands them over in order, a few at a time, bodies transferred
 * (not copied). Lifecycle scenarios go over as their steps: the fuzzer builds their deliveries as it runs them.
 *
 * Rounds a lane waits for come first; rounds asked for ahead of time fill the rest of the worker's time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { DeliveryGenerator } from '../generators/deliveries.js';
import { fuzzInputArbitrary, prepareCase, type FuzzInput } from './fuzz-inputs.js';
import { toWire, type RoundWorkerData, type ToWorker, type WireInput } from './fuzz-round-wire.js';
import { scenarioSteps } from './lifecycle-scenario.js';

/** Inputs handed over per message: small enough that a lane gets its next input soon, large enough to keep messages few. */
const BATCH = 8;

interface Job {
  key: string;
  urgent: boolean;
  seed: number;
  numRuns: number;
  values?: FuzzInput[];
  next: number;
}

const data = workerData as RoundWorkerData;
const generator = new DeliveryGenerator(data.seed);
const input = fuzzInputArbitrary(generator, data.events);
const jobs: Job[] = [];
let scheduled = false;

function schedule(): void {
  if (scheduled || jobs.length === 0) return;
  scheduled = true;
  setImmediate(work);
}

/** One batch of the most pressing job, then back to the event loop (new requests get in between). */
function work(): void {
  scheduled = false;
  const job = jobs.find((candidate) => candidate.urgent) ?? jobs[0];
  if (!job) return;
  job.values ??= fc.sample(input, { seed: job.seed, numRuns: job.numRuns });
  const items: WireInput[] = [];
  const transfer: ArrayBuffer[] = [];
  for (; job.next < job.values.length && items.length < BATCH; job.next++) {
    const value = job.values[job.next]!;
    if (value.kind === 'scenario') {
      items.push({ index: job.next, kind: 'scenario', scenario: { kind: value.value.kind, index: value.value.index, steps: scenarioSteps(value.value) } });
    } else {
      items.push(toWire(job.next, prepareCase(generator, data.signer, value.value), transfer));
    }
  }
  if (job.next >= job.values.length) jobs.splice(jobs.indexOf(job), 1);
  parentPort!.postMessage({ key: job.key, items }, transfer);
  schedule();
}

parentPort!.on('message', (message: ToWorker) => {
  const known = jobs.find((job) => job.key === message.key);
  if (message.type === 'drop') {
    if (known) jobs.splice(jobs.indexOf(known), 1);
  } else if (known) known.urgent ||= message.urgent;
  else jobs.push({ key: message.key, urgent: message.urgent, seed: message.seed, numRuns: message.numRuns, next: 0 });
  schedule();
});
