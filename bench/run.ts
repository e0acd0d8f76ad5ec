/**
 * The benchmark runner (`npm run bench`): runs the sections listed in SECTIONS, in order, prints each section's
 * report to stdout (progress goes to stderr) and saves its measurements to `bench/results/<name>.json`.
 *
 *   npm run bench                          # every section, full scale, 5 repeats
 *   BENCH_SCALE=0.2 BENCH_REPEATS=3 npm run bench
 *   npm run bench -- generation            # only the named sections
 *   npm run bench -- memory                # sections that take minutes run only when named
 *
 * Environment: BENCH_SCALE (workload multiplier, > 0, default 1), BENCH_REPEATS (timed repetitions, integer >= 1,
 * default 5), BENCH_RESULTS_DIR (where the JSON files go, default bench/results). Exit code 0 when the sections ran
 * (goals not met are reported, not failures), 2 for a bad setting or an unknown section name, 1 when a section threw.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchSection, SectionOptions, SectionResult } from './section.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, '..');

/**
 * The sections, in the order they run: each entry loads a module that exports `name`, `title` and `run`. An
 * `explicit` section (minutes long) runs only when named.
 */
export const SECTIONS: readonly { name: string; explicit?: boolean; load: () => Promise<BenchSection> }[] = [
  { name: 'generation', load: () => import('./generation.js') },
  { name: 'full-run', load: () => import('./full-run.js') },
  { name: 'fuzz-load', load: () => import('./fuzz-load.js') },
  { name: 'validate', load: () => import('./validate.js') },
  { name: 'in-process', load: () => import('./in-process.js') },
  { name: 'memory', explicit: true, load: () => import('./memory.js') },
];

export interface BenchSettings extends Required<Pick<SectionOptions, 'scale' | 'repeats'>> {
  resultsDir: string;
  /** Section names to run, in SECTIONS order; all when empty. */
  only: string[];
}

/** Reads BENCH_* settings and the section names given as arguments; throws a one-line message on a bad value. */
export function benchSettings(env: NodeJS.ProcessEnv, args: readonly string[]): BenchSettings {
  const scaleText = env.BENCH_SCALE?.trim() || '1';
  const repeatsText = env.BENCH_REPEATS?.trim() || '5';
  const scale = Number(scaleText);
  const repeats = Number(repeatsText);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`BENCH_SCALE must be a number above 0, not ${JSON.stringify(scaleText)}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`BENCH_REPEATS must be an integer of at least 1, not ${JSON.stringify(repeatsText)}`);
  const known = SECTIONS.map((section) => section.name);
  const unknown = args.filter((arg) => !known.includes(arg));
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const resultsDir = path.resolve(env.BENCH_RESULTS_DIR?.trim() || path.join(BENCH_DIR, 'results'));
  return { scale, repeats, resultsDir, only: [...args] };
}

/** Where and on what the numbers were measured. */
export function machine(): Record<string, string | number> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout
  }
  const cpus = os.cpus();
  return { node: process.version, platform: `${process.platform} ${process.arch}`, cpu: cpus[0]?.model ?? 'unknown', cpus: cpus.length, commit };
}

export function formatSection(result: SectionResult): string[] {
  const rule = '='.repeat(Math.max(20, result.title.length));
  return [
    rule,
    result.title,
    rule,
    ...result.lines,
    '',
    'Goals:',
    ...(result.goals.length === 0 ? ['  (none)'] : result.goals.map((goal) => `  [${goal.met ? 'met' : 'NOT met'}] ${goal.description}`)),
    '',
  ];
}

/** The sections to run, in order: the named ones, or all but the explicit ones when none is named. */
export function selectedSections(settings: Pick<BenchSettings, 'only'>): (typeof SECTIONS)[number][] {
  return SECTIONS.filter((section) => (settings.only.length === 0 ? !section.explicit : settings.only.includes(section.name)));
}

/** Runs the selected sections in order; writes reports to `out`, progress to `progress`, JSON to the results folder. */
export async function runSections(
  settings: BenchSettings,
  out: (line: string) => void,
  progress: (line: string) => void,
): Promise<SectionResult[]> {
  const selected = selectedSections(settings);
  const results: SectionResult[] = [];
  const meta = machine();
  mkdirSync(settings.resultsDir, { recursive: true });
  for (const entry of selected) {
    const section = await entry.load();
    if (section.name !== entry.name) throw new Error(`section module for ${entry.name} calls itself ${section.name}`);
    progress(`bench: ${section.name} (scale ${settings.scale}, ${settings.repeats} repeats)`);
    const started = performance.now();
    const result = await section.run({ scale: settings.scale, repeats: settings.repeats, log: progress });
    const seconds = (performance.now() - started) / 1000;
    for (const line of formatSection(result)) out(line);
    const file = path.join(settings.resultsDir, `${result.name}.json`);
    const saved = { name: result.name, title: result.title, date: new Date().toISOString(), seconds, scale: settings.scale, repeats: settings.repeats, machine: meta, goals: result.goals, data: result.data };
    writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`);
    progress(`bench: ${section.name} took ${seconds.toFixed(1)} s; saved ${path.relative(process.cwd(), file) || file}`);
    results.push(result);
  }
  return results;
}

async function main(): Promise<number> {
  let settings: BenchSettings;
  try {
    settings = benchSettings(process.env, process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    await runSections(
      settings,
      (line) => process.stdout.write(`${line}\n`),
      (line) => process.stderr.write(`${line}\n`),
    );
    return 0;
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main();
}
