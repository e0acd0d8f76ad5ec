/**
 * Section `memory` (runs only when named: `npm run bench -- memory`, about seven minutes): the memory of the
 * command-line tool itself, each measurement a fresh `node bin/conformance.js` process against the compiled
 * compliant reference receiver (a separate process on loopback):
 * - the peak RSS of a full default run (every suite, every bundled event, with the observer);
 * - the peak RSS of a 60 s fuzz at the default settings;
 * - a 5-minute fuzz at the default settings, its RSS sampled every second: the growth from the end of the first
 *   minute to the end of the fifth (the median of each minute's last ten samples, so that one collection more or
 *   less does not decide it).
 *
 * Goal (issue: performance): no growth beyond 10% between the first and the fifth minute of a long fuzz.
 * BENCH_SCALE shortens the fuzz runs in proportion (0.01: a 0.6 s and a 3 s fuzz, for a smoke test).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReferenceReceiver } from '../cli/demo.js';
import { median, megabytes, num, percent } from './report.js';
import type { Goal, SectionOptions, SectionResult } from './section.js';

export const name = 'memory';
export const title = 'Memory: peak RSS of a full run and of a fuzz, and a long fuzz over time';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO_ROOT, 'bin', 'conformance.js');
const GROWTH_GOAL = 0.1;
/** Samples (one a second) whose median stands for the end of a minute. */
const WINDOW = 10;

/**
 * Loaded first in the measured process: samples its RSS and heap (once a second at full scale) and, on exit, writes them with the
 * process's peak RSS (from the kernel: every page it ever held counts) to the file named by BENCH_MEMORY_FILE.
 */
const PROBE = `
import { writeFileSync } from 'node:fs';
const started = performance.now();
const samples = [];
const sample = () => { const usage = process.memoryUsage(); samples.push({ atMs: Math.round(performance.now() - started), rss: usage.rss, heapUsed: usage.heapUsed }); };
setInterval(sample, Number(process.env.BENCH_MEMORY_INTERVAL_MS)).unref();
process.on('exit', () => { sample(); writeFileSync(process.env.BENCH_MEMORY_FILE, JSON.stringify({ peakRss: process.resourceUsage().maxRSS * 1024, samples })); });
`;

export interface MemorySample {
  atMs: number;
  rss: number;
  heapUsed: number;
}

export interface Measured {
  command: string;
  exitCode: number;
  peakRss: number;
  samples: MemorySample[];
}

export interface MemoryData {
  fullRun: Measured;
  fuzz: Measured & { seconds: number };
  longFuzz: Measured & { seconds: number; rssAfterFirstMinute: number; rssAfterLastMinute: number; growth: number };
}

/** Runs the command line in a fresh process with the probe loaded; resolves with what the probe wrote. */
function measure(args: string[], env: NodeJS.ProcessEnv, intervalMs: number, log?: (line: string) => void): Promise<Measured> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conformance-memory-'));
  const file = path.join(dir, 'memory.json');
  const command = `conformance ${args.join(' ')}`;
  log?.(`memory: ${command}`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(PROBE)}`, CLI, ...args, '--no-progress'],
      { cwd: dir, env: { ...env, BENCH_MEMORY_FILE: file, BENCH_MEMORY_INTERVAL_MS: String(intervalMs), NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 },
      (error) => {
        try {
          const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          const probe = JSON.parse(readFileSync(file, 'utf8')) as { peakRss: number; samples: MemorySample[] };
          resolve({ command, exitCode, ...probe });
        } catch (failure) {
          reject(new Error(`${command}: no memory figures (${error?.message ?? String(failure)})`));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}

/** The median RSS of the last WINDOW samples taken by `untilMs` (at least the first sample). */
function rssAround(samples: readonly MemorySample[], untilMs: number): number {
  const before = samples.filter((entry) => entry.atMs <= untilMs);
  return median((before.length > 0 ? before : samples.slice(0, 1)).slice(-WINDOW).map((entry) => entry.rss));
}

export async function run(options: SectionOptions): Promise<SectionResult<MemoryData>> {
  const secret = randomBytes(18).toString('base64url');
  const receiver = await startReferenceReceiver(secret);
  const env = { ...process.env, ZOOM_WEBHOOK_SECRET_TOKEN: secret };
  const target = ['--target', receiver.url];
  const fuzzSeconds = Math.max(0.5, 60 * options.scale);
  const longSeconds = Math.max(2.5, 300 * options.scale);
  // Once a second at full scale: ten samples close each fifth of the long fuzz at any scale.
  const intervalMs = Math.min(1000, (longSeconds * 1000) / 5 / WINDOW);
  let data: MemoryData;
  try {
    const fullRun = await measure([...target, '--observe', receiver.observeUrl, '--seed', '1'], env, intervalMs, options.log);
    const fuzz = { ...(await measure(['fuzz', ...target, '--duration', `${fuzzSeconds}s`, '--seed', '2'], env, intervalMs, options.log)), seconds: fuzzSeconds };
    const long = await measure(['fuzz', ...target, '--duration', `${longSeconds}s`, '--seed', '3'], env, intervalMs, options.log);
    const minute = (longSeconds * 1000) / 5;
    const rssAfterFirstMinute = rssAround(long.samples, minute);
    const rssAfterLastMinute = rssAround(long.samples, Number.POSITIVE_INFINITY);
    data = {
      fullRun,
      fuzz,
      longFuzz: { ...long, seconds: longSeconds, rssAfterFirstMinute, rssAfterLastMinute, growth: (rssAfterLastMinute - rssAfterFirstMinute) / rssAfterFirstMinute },
    };
  } finally {
    await receiver.stop();
  }
  const { fullRun, fuzz, longFuzz } = data;
  const mb = (bytes: number) => `${megabytes(bytes)} MB`;
  const failed = [fullRun, fuzz, longFuzz].filter((entry) => entry.exitCode !== 0);
  const lines = [
    `peak RSS of a full default run (with the observer): ${mb(fullRun.peakRss)}`,
    `peak RSS of a ${num(fuzz.seconds, fuzz.seconds < 10 ? 1 : 0)} s fuzz at the default settings: ${mb(fuzz.peakRss)}`,
    `a ${num(longFuzz.seconds, longFuzz.seconds < 10 ? 1 : 0)} s fuzz: RSS ${mb(longFuzz.rssAfterFirstMinute)} after its first fifth, ${mb(longFuzz.rssAfterLastMinute)} at its end: ` +
      `${longFuzz.growth >= 0 ? '+' : ''}${percent(longFuzz.growth)}; peak ${mb(longFuzz.peakRss)}; heap at its end ${mb(longFuzz.samples[longFuzz.samples.length - 1]?.heapUsed ?? 0)}`,
    `Each a fresh process of the command-line tool against the compiled compliant receiver; RSS sampled every ${num(intervalMs)} ms, each fifth`,
    `of the long fuzz taken as the median of its last ${WINDOW} samples; peak RSS as the kernel counts it.`,
    ...(failed.length > 0 ? [`exit codes other than 0: ${failed.map((entry) => `${entry.command} -> ${entry.exitCode}`).join('; ')}`] : []),
  ];
  const goals: Goal[] = [
    {
      description: `a fuzz's memory stays flat: RSS grows by at most ${percent(GROWTH_GOAL)} from the end of its first minute to the end of its fifth${longFuzz.seconds < 300 ? ' (not measured: BENCH_SCALE < 1)' : ''}`,
      met: longFuzz.seconds >= 300 && longFuzz.growth <= GROWTH_GOAL,
    },
    { description: 'every measured run exits 0 (the compliant receiver passes)', met: failed.length === 0 },
  ];
  return { name, title, lines, goals, data };
}
