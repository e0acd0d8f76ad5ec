/**
 * The main job: `conformance --target URL`. Parses and checks the options, runs the suites, prints the console
 * report and writes the requested report files. Exit codes: 0 no MUST failure (strict: no failure at all),
 * 1 a failure, 2 usage, configuration or unreachable target, 70 an internal error of this tool.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import picomatch from 'picomatch';
import { WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { credentialHeaderNames, ZOOM } from '../profiles/zoom.js';
import { shellQuote as quote } from '../reports/curl.js';
import { REPORT_FORMATS } from '../reports/index.js';
import { buildReport, type ConformanceReport } from '../reports/report.js';
import { printable, printHeader, printResults, progressDisplay } from '../reports/console.js';
import type { Redaction } from '../reports/redaction.js';
import { SUITE_IDS, type Check, type SuiteId } from '../suites/check.js';
import { ALL_CHECKS } from '../suites/index.js';
import { Observer, ObserverError } from '../suites/observer.js';
import { DEFAULT_COPIES, DEFAULT_RETRY_AFTER_MS, runConformance, TargetUnreachable, type RunConfig } from '../suites/runner.js';
import { UsageError, type Io } from './io.js';
import { durationValue, freshSeed, positiveInteger, seedValue } from './options.js';
import { packageInfo } from './package-info.js';
import { selectSpecs, specArguments, specDeviationsConfig, specOption, specStrictOption, splitList } from './select-specs.js';
import { parseFormats, writeReports } from './report-output.js';
import { shardEvents, shardName, shardValue, type Shard } from './shard.js';
import { addAuthOptions, parseAuth, parseTarget, parseUrl, resolveSecret, selectEvents } from './target-options.js';

export const EXIT_INTERNAL = 70;
const DEFAULT_EXAMPLES = 2;

export interface RunOptions {
  target?: string;
  secret?: string;
  system?: string;
  spec?: string[];
  specStrict?: boolean;
  events?: string;
  suite?: string;
  checks?: string;
  examples: number;
  seed?: number;
  deadline: number;
  concurrency: number;
  burst: number;
  copies: number;
  retryAfter: number;
  observe?: string;
  strict?: boolean;
  report?: string;
  out: string;
  basic?: string;
  bearer?: string;
  header?: string[];
  insecure?: boolean;
  allFailures?: boolean;
  progress: boolean;
  shard?: Shard;
  /** The command that reproductions start with, instead of `npx conformance --target URL` (used by `demo`). */
  reproduceAs?: string;
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
    .addOption(new Option('--examples <n>', 'valid (and edge) deliveries per event').argParser(positiveInteger('--examples', 1000)).default(DEFAULT_EXAMPLES))
    .addOption(new Option('--seed <seed>', 'the run seed (default: random, printed); the same seed sends the same bodies').argParser(seedValue))
    .addOption(new Option('--deadline <ms>', "per-delivery deadline (Zoom's is 3000)").argParser(positiveInteger('--deadline', 600_000)).default(ZOOM.deadlineMs))
    .addOption(new Option('--concurrency <n>', 'deliveries in flight at once').argParser(positiveInteger('--concurrency', 1000)).default(8))
    .addOption(new Option('--burst <n>', 'concurrent deliveries in the burst check').argParser(positiveInteger('--burst', 10_000)).default(50))
    .addOption(new Option('--copies <n>', 'copies of a fresh delivery released at the same instant (idempotency)').argParser(copiesValue).default(DEFAULT_COPIES))
    .addOption(
      new Option('--retry-after <time>', "the earliest a late retry follows its original, e.g. 5m as Zoom's first retry (the run lasts at least that long)")
        .argParser(durationValue('--retry-after'))
        .default(DEFAULT_RETRY_AFTER_MS, '2s'),
    )
    .addOption(new Option('--strict', 'SHOULD failures fail the run too'))
    .addOption(new Option('--report <formats>', `comma-separated report files to write: ${REPORT_FORMATS.join(', ')}`))
    .addOption(new Option('--out <dir>', 'the folder for report files').default('conformance-report'))
    .addOption(new Option('--all-failures', 'print every failure in full (default: the first 3 per check)'))
    .addOption(new Option('--shard <i/n>', 'run slice i of n (events by system and name, every n-th; whole-endpoint checks in 1/n); merge the reports with `conformance merge`').argParser(shardValue))
    .addOption(new Option('--no-progress', 'no progress bar or progress lines'));
  if (scope === 'demo') return command;
  return addAuthOptions(command.addOption(new Option('--observe <url>', 'your test hook that counts applied deliveries (see README: observer contract)')))
}

function copiesValue(value: string): number {
  const copies = positiveInteger('--copies', 64)(value);
  if (copies < 2) throw new InvalidArgumentError('--copies must be a whole number from 2 to 64');
  return copies;
}

export async function runCommand(options: RunOptions, io: Io): Promise<number> {
  const target = parseTarget(options.target);
  const secret = resolveSecret(options, io);
  if (options.system !== undefined && options.spec !== undefined) throw new UsageError('give --system or --spec, not both');
  const specs = await selectSpecs(options, io, WEBHOOK_SYSTEMS);
  const allEvents = specs.flatMap((spec) => spec.events);
  if (allEvents.length === 0) throw new UsageError(`${specs.map((spec) => spec.system).join(', ')} describes no webhook events (REST operations are tested by \`conformance api\`)`);
  const events = selectEvents(allEvents, options.events);
  const suites = selectSuites(options.suite);
  const checkFilter = selectChecks(options.checks, suites);
  const auth = parseAuth(options);
  const formats = parseFormats(options.report);
  const observer = options.observe ? new Observer(parseUrl(options.observe, '--observe'), { timeoutMs: options.deadline, settleMs: 2000 }) : undefined;
  const seed = options.seed ?? freshSeed();
  const redaction: Redaction = { secret, credentialHeaders: credentialHeaderNames(auth) };
  const systems = specs.map((spec) => spec.system);
  const reproduce = reproducer({ target, seed, options, systems, events: new Set(events.map((event) => event.name)) });
  const { name: tool, version } = packageInfo();
  const config: ConformanceReport['config'] = {
    systems,
    suites,
    events: events.length,
    examples: options.examples,
    deadlineMs: options.deadline,
    concurrency: options.concurrency,
    burst: options.burst,
    copies: options.copies,
    retryAfterMs: options.retryAfter,
    observer: observer !== undefined,
    strict: options.strict === true,
    ...(options.shard ? { shard: shardName(options.shard) } : {}),
    ...specDeviationsConfig(specs, io.cwd),
  };

  printHeader(io, { tool, version, target: target.href, seed, config });
  // From here on Ctrl-C or SIGTERM (or the parent going away) stops the run gracefully: reports of what ran.
  const stop = io.listenForStop?.();
  try {
    if (observer) {
      try {
        await observer.preflight();
      } catch (error) {
        if (error instanceof ObserverError) throw new UsageError(`--observe: ${error.message}`);
        throw error;
      }
    }
    const runConfig: RunConfig = {
      target,
      secret,
      events,
      suites,
      ...(checkFilter ? { checkFilter } : {}),
      examples: options.examples,
      seed,
      deadlineMs: options.deadline,
      concurrency: options.concurrency,
      burst: options.burst,
      copies: options.copies,
      retryAfterMs: options.retryAfter,
      ...(observer ? { observer } : {}),
      ...(auth ? { auth } : {}),
      ...(options.insecure ? { insecure: true } : {}),
      reproduce,
      ...(options.shard ? { shard: { events: shardEvents(events, options.shard), runLevel: options.shard.index === 1 } } : {}),
      ...(stop ? { stop: stop.signal } : {}),
    };
    const progress = progressDisplay(io, options.progress);
    let outcome;
    try {
      outcome = await runConformance(runConfig, { onProgress: (state) => progress.update(state) });
    } catch (error) {
      if (error instanceof TargetUnreachable) throw new UsageError(error.message);
      throw error;
    } finally {
      progress.stop();
    }
    const report = buildReport(
      {
        tool,
        version,
        target: target.href,
        seed,
        startedAt: outcome.startedAt,
        durationMs: outcome.durationMs,
        deliveries: outcome.deliveries,
        latencies: outcome.latencies,
        ...(outcome.stopped ? { stopped: outcome.stopped.reason } : {}),
        config,
        results: outcome.results,
      },
      redaction,
    );
    const files = await writeReports(report, formats, options.out, io);
    printResults(io, report, { allFailures: options.allFailures === true, files });
    for (const error of outcome.internalErrors) io.stderr.write(`conformance: internal error: ${printable(error)}\n`);
    const requested = stop?.request();
    if (requested) return requested.exitCode;
    if (outcome.internalErrors.length > 0) return EXIT_INTERNAL;
    if (outcome.stopped?.unreachable) {
      io.stderr.write(`conformance: ${printable(outcome.stopped.reason)}\n`);
      return 2;
    }
    return report.summary.verdict === 'pass' ? 0 : 1;
  } finally {
    stop?.close();
  }
}

function selectSuites(list: string | undefined): SuiteId[] {
  if (list === undefined) return [...SUITE_IDS];
  const names = splitList(list);
  if (names.length === 0) throw new UsageError('--suite needs at least one suite name');
  for (const name of names) {
    if (!(SUITE_IDS as readonly string[]).includes(name)) throw new UsageError(`--suite: unknown suite "${name}" (known: ${SUITE_IDS.join(', ')})`);
  }
  return SUITE_IDS.filter((id) => names.includes(id));
}

function selectChecks(globs: string | undefined, suites: SuiteId[]): ((check: Check) => boolean) | undefined {
  if (globs === undefined) return undefined;
  const patterns = splitList(globs);
  if (patterns.length === 0) throw new UsageError('--checks needs at least one glob');
  const candidates = ALL_CHECKS.filter((check) => suites.includes(check.suite));
  const matchers = patterns.map((pattern) => ({ pattern, match: picomatch(pattern) }));
  for (const { pattern, match } of matchers) {
    if (!candidates.some((check) => match(check.id))) throw new UsageError(`--checks: "${pattern}" matches no check of the selected suites (see: conformance checks)`);
  }
  return (check) => matchers.some(({ match }) => match(check.id));
}

/** The command line that repeats one check on one event: same seed, target, specs and delivery settings; no secret. */
function reproducer(input: { target: URL; seed: number; options: RunOptions; systems: string[]; events: Set<string> }): (check: Check, event: string | undefined) => string {
  const { options } = input;
  const fixed = [
    options.reproduceAs ?? `npx conformance --target ${quote(input.target.href)}`,
    `--seed ${input.seed}`,
    options.spec !== undefined ? specArguments(options) : options.system !== undefined ? `--system ${quote(input.systems.join(','))}` : '',
    options.examples !== DEFAULT_EXAMPLES ? `--examples ${options.examples}` : '',
    options.deadline !== ZOOM.deadlineMs ? `--deadline ${options.deadline}` : '',
    options.burst !== 50 ? `--burst ${options.burst}` : '',
    options.copies !== DEFAULT_COPIES ? `--copies ${options.copies}` : '',
    options.retryAfter !== DEFAULT_RETRY_AFTER_MS ? `--retry-after ${options.retryAfter}ms` : '',
    options.observe !== undefined && options.reproduceAs === undefined ? `--observe ${quote(options.observe)}` : '',
    options.basic !== undefined ? `--basic '<user:password>'` : '',
    options.bearer !== undefined ? `--bearer '<token>'` : '',
    ...(options.header ?? []).map((header) => `--header ${quote(`${header.split(':')[0]}: <value>`)}`),
    options.insecure ? '--insecure' : '',
  ].filter(Boolean);
  return (check, event) =>
    [...fixed, `--suite ${check.suite}`, `--checks ${check.id}`, event !== undefined && input.events.has(event) ? `--events ${quote(event)}` : ''].filter(Boolean).join(' ');
}
