/**
 * Section `fuzz-load`: is the fuzzer limited by the receiver, not by itself? In one run, against the compiled
 * compliant reference receiver (a separate process on loopback): `conformance fuzz` deliveries per second (every
 * case class: generation, signing and judging included) next to autocannon's requests per second with the same
 * concurrency and one fixed, correctly signed body of the same event mix.
 *
 * Goal (issue: fuzzing): at least 50% of autocannon's rate. autocannon does nothing per request but write the
 * same bytes, so the ratio is the share of the receiver's capacity the fuzzer reaches.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { startReferenceReceiver } from '../cli/demo.js';
import { DeliveryGenerator } from '../generators/deliveries.js';
import { deliveryHeaders } from '../profiles/zoom.js';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { runFuzz } from '../suites/fuzz.js';
import { median, num, percent, spread, table } from './report.js';
import type { Goal, SectionOptions, SectionResult } from './section.js';

export const name = 'fuzz-load';
export const title = 'Fuzzing load: conformance fuzz vs autocannon against the same receiver';

const CONCURRENCY = 8;
const FULL_RUNS = 6000;
const FULL_SECONDS = 4;
const GOAL = 0.5;

export interface FuzzLoadData {
  concurrency: number;
  fuzz: { runs: number; deliveries: number; durationMs: number; perSecond: number }[];
  autocannon: { requests: number; durationMs: number; perSecond: number; non2xx: number }[];
  medianFuzz: number;
  medianAutocannon: number;
  ratio: number;
}

export async function run(options: SectionOptions): Promise<SectionResult<FuzzLoadData>> {
  const events = WEBHOOK_SYSTEMS.flatMap((system) => loadBundledSpec(system).events);
  const secret = randomBytes(18).toString('base64url');
  const receiver = await startReferenceReceiver(secret);
  const fuzz: FuzzLoadData['fuzz'] = [];
  const cannon: FuzzLoadData['autocannon'] = [];
  const runs = Math.max(200, Math.round(FULL_RUNS * options.scale));
  const seconds = Math.max(1, Math.round(FULL_SECONDS * options.scale));
  try {
    // One valid meeting.started, the body autocannon repeats (the receiver dedupes repeats: it acknowledges fast).
    const [delivery] = new DeliveryGenerator(7).generate(events.find((event) => event.name === 'meeting.started')!, 'valid', 1);
    for (let repeat = 0; repeat <= options.repeats; repeat++) {
      const outcome = await runFuzz({
        target: new URL(receiver.url),
        secret,
        events,
        seed: 100 + repeat,
        runs,
        concurrency: CONCURRENCY,
        deadlineMs: 3000,
        strict: false,
        replayDir: `${process.env.TMPDIR ?? '/tmp'}/conformance-bench-failures`,
        redaction: { secret, credentialHeaders: [] },
        tool: { name: 'bench', version: '0' },
        reproduce: () => '',
      });
      if (outcome.findings.length > 0) throw new Error(`fuzz found ${outcome.findings.length} failures in the compliant receiver: ${outcome.findings[0]!.reason}`);
      const result = await autocannon({
        url: receiver.url,
        method: 'POST',
        connections: CONCURRENCY,
        duration: seconds,
        // Signed once, at the start: the receiver's 5-minute window covers the whole measurement.
        headers: deliveryHeaders({ secret, body: delivery!.body }),
        body: delivery!.body,
      });
      if (repeat === 0) {
        options.log?.(`fuzz-load: warm-up: fuzz ${Math.round((outcome.deliveries / outcome.durationMs) * 1000)}/s, autocannon ${Math.round(result.requests.average)}/s`);
        continue;
      }
      fuzz.push({ runs: outcome.runs, deliveries: outcome.deliveries, durationMs: outcome.durationMs, perSecond: (outcome.deliveries / outcome.durationMs) * 1000 });
      cannon.push({ requests: result.requests.total, durationMs: result.duration * 1000, perSecond: result.requests.total / result.duration, non2xx: result.non2xx });
      options.log?.(`fuzz-load: repeat ${repeat}: fuzz ${Math.round(fuzz.at(-1)!.perSecond)}/s, autocannon ${Math.round(cannon.at(-1)!.perSecond)}/s`);
    }
  } finally {
    await receiver.stop();
  }
  const medianFuzz = median(fuzz.map((entry) => entry.perSecond));
  const medianAutocannon = median(cannon.map((entry) => entry.perSecond));
  const ratio = medianFuzz / medianAutocannon;
  const lines = [
    ...table(
      ['tool', 'requests/s (median)', 'spread', 'per repeat'],
      [
        ['conformance fuzz', num(medianFuzz), percent(spread(fuzz.map((entry) => entry.perSecond))), fuzz.map((entry) => num(entry.perSecond)).join(', ')],
        ['autocannon', num(medianAutocannon), percent(spread(cannon.map((entry) => entry.perSecond))), cannon.map((entry) => num(entry.perSecond)).join(', ')],
      ],
    ),
    '',
    `fuzz/autocannon: ${percent(ratio)} (${CONCURRENCY} connections each; fuzz: ${runs} random cases per repeat over ${events.length} events, every case class;` +
      ` autocannon: ${seconds} s of one signed meeting.started body)`,
    `autocannon non-2xx answers: ${cannon.map((entry) => entry.non2xx).join(', ')} (0 expected: the body is valid and freshly signed)`,
    'Both share the machine with the receiver process (2 cores), as in a CI job.',
  ];
  const goals: Goal[] = [{ description: `fuzz reaches at least ${percent(GOAL)} of autocannon's rate against the same receiver`, met: ratio >= GOAL }];
  return { name, title, lines, goals, data: { concurrency: CONCURRENCY, fuzz, autocannon: cannon, medianFuzz, medianAutocannon, ratio } };
}
