/**
 * The main job on the command line: `conformance --target URL`. Reads the configuration file (if any), lets the
 * flags given override it, and runs the job (job/plan.ts, job/run.ts: the pipeline the library runs too), printing
 * progress, the console report and the report files. Exit codes: 0 no MUST failure (strict: no failure at all;
 * with a baseline: none it does not accept), 1 a failure, 2 usage, configuration or unreachable target, 70 an
 * internal error of this tool.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../job/config-file.js';
import { DEFAULTS, type ConfigOptions } from '../job/options.js';
import { flagName, planJob, type JobPlan, type PlanOptions } from '../job/plan.js';
import type { ReproduceStyle } from '../job/reproduce.js';
import { runJob, type JobOutcome } from '../job/run.js';
import { parseShard } from '../job/shard.js';
import { WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { REPORT_FORMATS } from '../reports/index.js';
import { printable, printHeader, printResults, progressDisplay } from '../reports/console.js';
import { SUITE_IDS } from '../suites/check.js';
import { DEFAULT_COPIES, DEFAULT_RETRY_AFTER_MS } from '../suites/runner.js';
import type { Io } from './io.js';
import { durationValue, positiveInteger, seedValue } from './options.js';
import { specOption, specStrictOption } from './spec-options.js';
import { parseFormats, writeReports } from './report-output.js';
import { addAuthOptions } from './target-options.js';

export const EXIT_INTERNAL = 70;

/** The flags of the main job as commander parses them (lists as given: comma-separated). */
export interface RunFlags {
  target?: string;
  secret?: string;
  system?: string;
  spec?: string[];
  specStrict?: boolean;
  events?: string;
  suite?: string;
  checks?: string;
  examples?: number;
  seed?: number;
  deadline?: number;
  concurrency?: number;
  burst?: number;
  copies?: number;
  retryAfter?: number;
  observe?: string;
  strict?: boolean;
  report?: string;
  out?: string;
  basic?: string;
  bearer?: string;
  header?: string[];
  insecure?: boolean;
  allFailures?: boolean;
  progress?: boolean;
  shard?: string;
  baseline?: string;
  /** `--config FILE`, or false for `--no-config`. */
  config?: string | false;
}

/** The options of a run on the command line: the job's, and the console's. */
export type RunOptions = ConfigOptions;

/** How a run on the command line names its options in messages and writes its reproduce lines. */
export interface RunWiring {
  nameOf: (key: keyof PlanOptions) => string;
  reproduce: ReproduceStyle;
}

/** The options of the main job (the root command); `demo` takes them all but those naming the receiver. */
export function addRunOptions(command: Command, scope: 'run' | 'demo' = 'run'): Command {
  if (scope === 'run') {
    command
      .addOption(new Option('--target <url>', 'the URL where your receiver takes Zoom webhooks (http or https)'))
      .addOption(new Option('--secret <token>', "your app's Secret Token (better: the ZOOM_WEBHOOK_SECRET_TOKEN environment variable; never printed)"));
  }
  command
    .addOption(new Option('--system <names>', `comma-separated bundled specs: ${WEBHOOK_SYSTEMS.join(', ')} (default: all four)`))
    .addOption(specOption('your own OpenAPI file instead of the bundled specs'))
    .addOption(specStrictOption())
    .addOption(new Option('--events <globs>', 'comma-separated globs over event names, e.g. "meeting.*,recording.completed"'))
    .addOption(new Option('--suite <names>', `comma-separated suites: ${SUITE_IDS.join(', ')} (default: all)`))
    .addOption(new Option('--checks <globs>', 'comma-separated globs over check ids, e.g. "signature.*" (see: conformance checks)'))
    .addOption(new Option('--examples <n>', 'valid (and edge) deliveries per event').argParser(positiveInteger('--examples', 1000)).default(DEFAULTS.examples))
    .addOption(new Option('--seed <seed>', 'the run seed (default: random, printed); the same seed sends the same bodies').argParser(seedValue))
    .addOption(new Option('--deadline <ms>', "per-delivery deadline (Zoom's is 3000)").argParser(positiveInteger('--deadline', 600_000)).default(DEFAULTS.deadline))
    .addOption(new Option('--concurrency <n>', 'deliveries in flight at once').argParser(positiveInteger('--concurrency', 1000)).default(DEFAULTS.concurrency))
    .addOption(new Option('--burst <n>', 'concurrent deliveries in the burst check').argParser(positiveInteger('--burst', 10_000)).default(DEFAULTS.burst))
    .addOption(new Option('--copies <n>', 'copies of a fresh delivery released at the same instant (idempotency)').argParser(copiesValue).default(DEFAULT_COPIES))
    .addOption(
      new Option('--retry-after <time>', "the earliest a late retry follows its original, e.g. 5m as Zoom's first retry (the run lasts at least that long)")
        .argParser(durationValue('--retry-after'))
        .default(DEFAULT_RETRY_AFTER_MS, '2s'),
    )
    .addOption(new Option('--strict', 'SHOULD failures fail the run too'))
    .addOption(new Option('--baseline <file>', 'accepted failures (findings or checks, each with its reason): fail only on what it does not accept (see: conformance baseline write)'))
    .addOption(new Option('--report <formats>', `comma-separated report files to write: ${REPORT_FORMATS.join(', ')}`))
    .addOption(new Option('--out <dir>', 'the folder for report files').default(DEFAULTS.out))
    .addOption(new Option('--all-failures', 'print every failure in full (default: the first 3 per check)'))
    .addOption(new Option('--shard <i/n>', 'run slice i of n (events by system and name, every n-th; whole-endpoint checks in 1/n); merge the reports with `conformance merge`').argParser(shardValue))
    .addOption(new Option('--no-progress', 'no progress bar or progress lines'));
  if (scope === 'demo') return command;
  return addAuthOptions(
    command
      .addOption(new Option('--observe <url>', 'your test hook that counts applied deliveries (see README: observer contract)'))
      .addOption(new Option('--config <file>', 'a configuration file (default: conformance.config.json, .mjs or .ts, or "conformance" in package.json, from here upward)'))
      .addOption(new Option('--no-config', 'read no configuration file')),
  );
}

function copiesValue(value: string): number {
  const copies = positiveInteger('--copies', 64)(value);
  if (copies < 2) throw new InvalidArgumentError('--copies must be a whole number from 2 to 64');
  return copies;
}

function shardValue(value: string): string {
  try {
    parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value.trim();
}

/** Options as the job names them, from flags (those given only, when `given` says which). */
export function optionsFromFlags(flags: RunFlags, given: (key: keyof RunFlags) => boolean = () => true): RunOptions {
  const renamed: Partial<Record<keyof RunFlags, keyof RunOptions>> = { system: 'systems', suite: 'suites', header: 'headers' };
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flags) as [keyof RunFlags, unknown][]) {
    if (key === 'config' || value === undefined || !given(key)) continue;
    options[renamed[key] ?? key] = value;
  }
  return options as RunOptions;
}

/**
 * The main job's action: the configuration file's options overridden by the flags given on the command line. Without
 * a target in either, the help (exit 2).
 */
export async function mainJob(flags: RunFlags, command: Command, io: Io, printHelp: () => void): Promise<number> {
  const { options, wiring } = await configured(flags, command, io);
  if (options.target === undefined) {
    printHelp();
    return 2;
  }
  return runCommand(options, io, wiring);
}

/** The options of a command taking the run flags: the configuration file's, overridden by the flags given. */
export async function configured(flags: RunFlags, command: Command, io: Io): Promise<{ options: RunOptions; wiring: RunWiring; config?: LoadedConfig }> {
  const config = flags.config === false ? undefined : await loadConfig(io.cwd, flags.config);
  const fromFlags = optionsFromFlags(flags, (key) => {
    const source = command.getOptionValueSource(key);
    return source !== undefined && source !== 'default';
  });
  const options: RunOptions = { ...config?.options, ...fromFlags };
  // The secret: --secret, else ZOOM_WEBHOOK_SECRET_TOKEN, else the configuration's (flags, then the environment, then files).
  if (fromFlags.secret === undefined && io.env.ZOOM_WEBHOOK_SECRET_TOKEN) delete options.secret;
  const nameOf = (key: keyof PlanOptions) => (config && !(key in fromFlags) && key in config.options ? `${key} (${config.source})` : flagName(key));
  return {
    options,
    wiring: { nameOf, reproduce: { kind: 'command', ...(typeof flags.config === 'string' ? { config: flags.config } : {}) } },
    ...(config ? { config } : {}),
  };
}

/** Runs the job, prints the console report, writes the report files; returns the exit code. */
export async function runCommand(options: RunOptions, io: Io, wiring: RunWiring, after?: (outcome: JobOutcome, plan: JobPlan) => Promise<number>): Promise<number> {
  const { allFailures, progress, ...job } = options;
  // The formats are checked before anything is sent.
  parseFormats(job.report, wiring.nameOf('report'));
  const plan = await planJob(job, { cwd: io.cwd, env: io.env, stderr: io.stderr, nameOf: wiring.nameOf, reproduce: wiring.reproduce });
  printHeader(io, { tool: plan.tool, version: plan.version, target: plan.targetLabel, seed: plan.seed, config: plan.config });
  // From here on Ctrl-C or SIGTERM (or the parent going away) stops the run gracefully: reports of what ran.
  const stop = io.listenForStop?.();
  try {
    const display = progressDisplay(io, progress !== false);
    let outcome: JobOutcome;
    try {
      outcome = await runJob(plan, { ...(stop ? { stop: stop.signal } : {}), onProgress: (state) => display.update(state), observeName: wiring.nameOf('observe') });
    } finally {
      display.stop();
    }
    const files = await writeReports(outcome.report, plan.formats, plan.outDir, io);
    printResults(io, outcome.report, { allFailures: allFailures === true, files });
    for (const error of outcome.internalErrors) io.stderr.write(`conformance: internal error: ${printable(error)}\n`);
    const requested = stop?.request();
    if (requested) return requested.exitCode;
    if (outcome.internalErrors.length > 0) return EXIT_INTERNAL;
    if (outcome.stopped?.unreachable) {
      io.stderr.write(`conformance: ${printable(outcome.stopped.reason)}\n`);
      return 2;
    }
    // A command built on the main job (baseline write) decides the rest.
    if (after) return await after(outcome, plan);
    return outcome.report.summary.verdict === 'pass' ? 0 : 1;
  } finally {
    stop?.close();
  }
}

