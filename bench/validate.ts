/**
 * Section `validate`: how fast `conformance validate` checks captured deliveries. The input is an NDJSON file of
 * signed records (`{"headers", "body"}`), valid deliveries of every event of the four bundled webhook specs in
 * turn, made untimed beforehand. Each timed repeat runs the whole command in this process (`conformance validate
 * FILE --secret S`: reading the file, exact JSON parsing, schema validation, drift, HMAC of every body, the tally
 * and the printed report), the bundled specs already loaded by the first repeat's warm-up.
 *
 * Goal (issue 13): 100,000 deliveries validate in under 10 s on this 2-core machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Io } from '../cli/io.js';
import { main } from '../cli/main.js';
import { DeliveryGenerator } from '../generators/deliveries.js';
import { zoomSignature } from '../profiles/zoom.js';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { megabytes, median, num, spread, table } from './report.js';
import type { Goal, SectionOptions, SectionResult } from './section.js';

export const name = 'validate';
export const title = 'Validate: captured deliveries checked per second';

export const FULL_DELIVERIES = 100_000;
export const GOAL_SECONDS = 10;
const SEED = 20261130;
const SECRET = 'bench-validate-secret';

export interface ValidateRun {
  durationMs: number;
  exitCode: number;
  deliveries: number;
}

export interface ValidateData {
  scale: number;
  deliveries: number;
  events: number;
  bytes: number;
  runs: ValidateRun[];
  medianMs: number;
  deliveriesPerSecond: number;
}

export async function run(options: SectionOptions): Promise<SectionResult<ValidateData>> {
  const log = options.log ?? (() => {});
  const count = Math.max(100, Math.round(FULL_DELIVERIES * options.scale));
  const events = WEBHOOK_SYSTEMS.flatMap((system) => loadBundledSpec(system).events);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conformance-bench-validate-'));
  try {
    log(`validate: generating ${count} signed deliveries of ${events.length} events`);
    const file = path.join(dir, 'captured.ndjson');
    const bytes = writeCaptures(file, events, count);
    const args = ['validate', file, '--secret', SECRET];
    const runs: ValidateRun[] = [];
    // One untimed run first: it loads the bundled specs and compiles their schemas, as any first run does.
    await validateOnce(args);
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      log(`validate: repeat ${repeat + 1}/${options.repeats}`);
      runs.push(await validateOnce(args));
    }
    const durations = runs.map((entry) => entry.durationMs);
    const medianMs = median(durations);
    const deliveriesPerSecond = count / (medianMs / 1000);
    const full = count >= FULL_DELIVERIES;
    const lines = [
      ...table(
        ['repeat', 'deliveries', 'seconds', 'deliveries/s', 'exit'],
        runs.map((entry, index) => [String(index + 1), num(entry.deliveries), num(entry.durationMs / 1000, 2), num(entry.deliveries / (entry.durationMs / 1000)), String(entry.exitCode)]),
      ),
      '',
      `${num(count)} signed records (${megabytes(bytes)} MB of NDJSON) of ${events.length} events; median ${num(medianMs / 1000, 2)} s ` +
        `(spread ${Math.round(spread(durations) * 100)}%), ${num(deliveriesPerSecond)} deliveries/s`,
      'Each repeat is the whole command in-process: read, parse exactly, validate, drift, verify the HMAC, tally and print.',
    ];
    const goals: Goal[] = [
      {
        description: `${num(FULL_DELIVERIES)} deliveries validate in under ${GOAL_SECONDS} s${full ? '' : ' (not measured: BENCH_SCALE < 1)'}`,
        met: full && medianMs < GOAL_SECONDS * 1000,
      },
      { description: 'every generated valid delivery validates, its signature included (exit 0)', met: runs.every((entry) => entry.exitCode === 0) },
    ];
    return { name, title, lines, goals, data: { scale: options.scale, deliveries: count, events: events.length, bytes, runs, medianMs, deliveriesPerSecond } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `count` signed records, the events in turn; returns the file's size. */
function writeCaptures(file: string, events: ReturnType<typeof loadBundledSpec>['events'], count: number): number {
  const generator = new DeliveryGenerator(SEED);
  const perEvent = Math.ceil(count / events.length);
  const bodies = events.map((event) => generator.generate(event, 'valid', perEvent).map((delivery) => delivery.body));
  const timestamp = Math.floor(Date.now() / 1000);
  const lines: string[] = [];
  for (let index = 0; lines.length < count; index++) {
    const body = bodies[index % events.length]![Math.floor(index / events.length)]!;
    const headers = { 'content-type': 'application/json; charset=utf-8', 'x-zm-request-timestamp': String(timestamp), 'x-zm-signature': zoomSignature(SECRET, timestamp, body) };
    lines.push(JSON.stringify({ headers, body: body.toString('utf8') }));
  }
  const text = `${lines.join('\n')}\n`;
  writeFileSync(file, text);
  return Buffer.byteLength(text);
}

async function validateOnce(args: string[]): Promise<ValidateRun> {
  let summary = '';
  const io: Io = {
    stdout: { write: (text: string) => ((summary = text), true), isTTY: false },
    stderr: { write: () => true, isTTY: false },
    env: { NO_COLOR: '1' },
    cwd: process.cwd(),
  };
  const started = performance.now();
  const exitCode = await main(args, io);
  const durationMs = performance.now() - started;
  const match = /(?:PASS all|FAIL \d+ of) (\d+)/.exec(summary);
  return { durationMs, exitCode, deliveries: match ? Number(match[1]) : 0 };
}
