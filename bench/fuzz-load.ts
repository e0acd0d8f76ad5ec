/**
 * Section `fuzz-load`: is the fuzzer limited by the receiver, not by itself? In one run, against the compiled
 * compliant reference receiver (a separate process on loopback): `conformance fuzz` deliveries per second over a
 * timed fuzz (every case class: generation, signing and judging included) next to autocannon's requests per second
 * with the same concurrency, sending
 * - the same bodies: 1,000 cases drawn from the fuzzer's own case arbitrary, built and signed beforehand (valid,
 *   edge, hostile up to ~1 MB, forged, broken), which autocannon cycles through: the receiver does the same work
 *   per request as under fuzz (a little less: it has seen a body again after the first cycle);
 * - one small valid body: the receiver's fastest path, for scale.
 *
 * Goal (issue: performance; 50% when fuzzing was first built): at least 60% of autocannon's rate with the same
 * bodies. autocannon does nothing per request but write prepared bytes, so the ratio is the share of the receiver's
 * capacity the fuzzer reaches.
 *
 * The fuzz is timed (FUZZ_SECONDS per repeat) after an untimed warm-up fuzz of the same length: the rate a fuzz holds
 * once the process is warm, which is what a fuzz of a minute or more gets through. A fuzz starting in a fresh
 * process runs slower for its first seconds (the JIT compiles the generators, the arbitraries are built): the
 * warm-up's own rate is reported beside it, as the cold rate, outside the goal.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import fc from 'fast-check';
import { startReferenceReceiver } from '../cli/demo.js';
import { DeliveryGenerator } from '../generators/deliveries.js';
import { deliveryHeaders, signedHeaders } from '../profiles/zoom.js';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { runFuzz } from '../suites/fuzz.js';
import { buildCase, caseArbitrary } from '../suites/fuzz-cases.js';
import { median, num, percent, spread, table } from './report.js';
import type { Goal, SectionOptions, SectionResult } from './section.js';

export const name = 'fuzz-load';
export const title = 'Fuzzing load: conformance fuzz vs autocannon against the same receiver';

const CONCURRENCY = 8;
/** Seconds of each timed fuzz (and of the warm-up fuzz). */
const FUZZ_SECONDS = 8;
/** Seconds of each autocannon run. */
const FULL_SECONDS = 4;
export const GOAL = 0.6;

export interface CannonRun {
  requests: number;
  durationMs: number;
  perSecond: number;
  non2xx: number;
}

export interface FuzzLoadData {
  concurrency: number;
  fuzz: { runs: number; deliveries: number; durationMs: number; perSecond: number }[];
  /** The warm-up fuzz: the first in the process (JIT and arbitraries cold), not part of the goal. */
  coldFuzz: { runs: number; deliveries: number; durationMs: number; perSecond: number };
  /** autocannon cycling through the fuzzer's own bodies. */
  autocannon: CannonRun[];
  /** autocannon repeating one small valid body. */
  autocannonOneBody: CannonRun[];
  medianFuzz: number;
  medianAutocannon: number;
  medianAutocannonOneBody: number;
  ratio: number;
  /** Each repeat's fuzz rate over the autocannon rate (the same bodies) measured right after it. */
  repeatRatios: number[];
}

export async function run(options: SectionOptions): Promise<SectionResult<FuzzLoadData>> {
  const events = WEBHOOK_SYSTEMS.flatMap((system) => loadBundledSpec(system).events);
  const secret = randomBytes(18).toString('base64url');
  const receiver = await startReferenceReceiver(secret);
  const fuzz: FuzzLoadData['fuzz'] = [];
  const cannon: CannonRun[] = [];
  const cannonOne: CannonRun[] = [];
  const fuzzSeconds = Math.max(1, Math.round(FUZZ_SECONDS * options.scale));
  const seconds = Math.max(1, Math.round(FULL_SECONDS * options.scale));
  let coldFuzz: FuzzLoadData['coldFuzz'] | undefined;
  const cannonRun = async (requests: autocannon.Request[]): Promise<CannonRun> => {
    const result = await autocannon({ url: receiver.url, method: 'POST', connections: CONCURRENCY, duration: seconds, requests });
    return { requests: result.requests.total, durationMs: result.duration * 1000, perSecond: result.requests.total / result.duration, non2xx: result.non2xx };
  };
  try {
    // One valid meeting.started, the body of the one-body run (the receiver dedupes repeats: its fastest path).
    const [delivery] = new DeliveryGenerator(7).generate(events.find((event) => event.name === 'meeting.started')!, 'valid', 1);
    const oneBody = [{ method: 'POST' as const, headers: deliveryHeaders({ secret, body: delivery!.body }), body: delivery!.body }];
    // The fuzzer's own cases, built and signed now: the receiver's 5-minute window covers the measurement.
    const generator = new DeliveryGenerator(11);
    const sameBodies = fc.sample(caseArbitrary(generator, events), { seed: 11, numRuns: Math.max(100, Math.round(1000 * Math.min(1, options.scale * 10))) }).map((fuzzCase) => {
      const built = buildCase(generator, fuzzCase);
      return { method: 'POST' as const, headers: signedHeaders(built.signature, { secret, body: built.body }), body: built.body };
    });
    for (let repeat = 0; repeat <= options.repeats; repeat++) {
      const outcome = await runFuzz({
        target: new URL(receiver.url),
        secret,
        events,
        seed: 100 + repeat,
        durationMs: fuzzSeconds * 1000,
        concurrency: CONCURRENCY,
        deadlineMs: 3000,
        strict: false,
        replayDir: `${process.env.TMPDIR ?? '/tmp'}/conformance-bench-failures`,
        redaction: { secret, credentialHeaders: [] },
        tool: { name: 'bench', version: '0' },
        reproduce: () => '',
      });
      if (outcome.findings.length > 0) throw new Error(`fuzz found ${outcome.findings.length} failures in the compliant receiver: ${outcome.findings[0]!.reason}`);
      const same = await cannonRun(sameBodies);
      const one = await cannonRun(oneBody);
      const fuzzRate = (outcome.deliveries / outcome.durationMs) * 1000;
      const measured = { runs: outcome.runs, deliveries: outcome.deliveries, durationMs: outcome.durationMs, perSecond: fuzzRate };
      if (repeat === 0) {
        coldFuzz = measured;
        options.log?.(`fuzz-load: warm-up: fuzz ${Math.round(fuzzRate)}/s, autocannon ${Math.round(same.perSecond)}/s (same bodies), ${Math.round(one.perSecond)}/s (one body)`);
        continue;
      }
      fuzz.push(measured);
      cannon.push(same);
      cannonOne.push(one);
      options.log?.(`fuzz-load: repeat ${repeat}: fuzz ${Math.round(fuzzRate)}/s, autocannon ${Math.round(same.perSecond)}/s (same bodies), ${Math.round(one.perSecond)}/s (one body)`);
    }
  } finally {
    await receiver.stop();
  }
  const medianFuzz = median(fuzz.map((entry) => entry.perSecond));
  const medianAutocannon = median(cannon.map((entry) => entry.perSecond));
  const medianAutocannonOneBody = median(cannonOne.map((entry) => entry.perSecond));
  const ratio = medianFuzz / medianAutocannon;
  const repeatRatios = fuzz.map((entry, index) => entry.perSecond / cannon[index]!.perSecond);
  const row = (label: string, rates: number[], middle: number) => [label, num(middle), percent(spread(rates)), rates.map((rate) => num(rate)).join(', ')];
  const lines = [
    ...table(
      ['tool', 'requests/s (median)', 'spread', 'per repeat'],
      [
        row('conformance fuzz', fuzz.map((entry) => entry.perSecond), medianFuzz),
        row('autocannon, the same bodies', cannon.map((entry) => entry.perSecond), medianAutocannon),
        row('autocannon, one small body', cannonOne.map((entry) => entry.perSecond), medianAutocannonOneBody),
      ],
    ),
    '',
    `fuzz / autocannon with the same bodies: ${percent(ratio)}; with one small body: ${percent(medianFuzz / medianAutocannonOneBody)}`,
    // Both rates drift with the machine: each repeat's own ratio (its fuzz against the autocannon run right after it)
    // shows how much of the spread the two share.
    `each repeat's own ratio (its fuzz / its autocannon, the same bodies): ${repeatRatios.map((value) => percent(value)).join(', ')}; median ${percent(median(repeatRatios))}`,
    `the first fuzz in the process (the warm-up, JIT and arbitraries cold): ${num(coldFuzz!.perSecond)} deliveries/s,` +
      ` ${percent(coldFuzz!.perSecond / medianAutocannon)} of autocannon's median (not part of the goal)`,
    `${CONCURRENCY} connections each; fuzz: ${fuzzSeconds} s per repeat after a warm-up fuzz as long, random cases over ${events.length} events` +
      ` (every case class, lifecycles included; ${num(median(fuzz.map((entry) => entry.runs)))} cases per repeat, median); autocannon: ${seconds} s per run`,
    `autocannon non-2xx answers, one small body: ${cannonOne.map((entry) => entry.non2xx).join(', ')} (0 expected); the same bodies hold forged and broken ones, refused by design`,
    'Both share the machine with the receiver process (2 cores), as in a CI job.',
  ];
  const goals: Goal[] = [{ description: `fuzz reaches at least ${percent(GOAL)} of autocannon's rate with the same bodies against the same receiver`, met: ratio >= GOAL }];
  return {
    name,
    title,
    lines,
    goals,
    data: { concurrency: CONCURRENCY, fuzz, coldFuzz: coldFuzz!, autocannon: cannon, autocannonOneBody: cannonOne, medianFuzz, medianAutocannon, medianAutocannonOneBody, ratio, repeatRatios },
  };
}
