/**
 * `conformance fuzz --target URL`: random deliveries in every mode until a case fails or the runs (or the time) are
 * used up; a failure is shrunk to the smallest case that still fails, printed with its seed and path, saved as a
 * replay file and put into the reports. Exit codes as the main job: 0 no MUST failure (strict: none at all),
 * 1 a failure, 2 usage, configuration or unreachable target.
 */
import { observerTiming } from '../job/plan.js';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { credentialHeaderNames, ZOOM } from '../profiles/zoom.js';
import { colorsFor, printHeader, printResults, printable } from '../reports/console.js';
import { shellQuote as quote } from '../reports/curl.js';
import { REPORT_FORMATS } from '../reports/index.js';
import { buildReport, type ConformanceReport } from '../reports/report.js';
import { WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { runFuzz, parsePath, type FuzzProgress } from '../suites/fuzz.js';
import { HttpObserver, ObserverError } from '../suites/observer.js';
import { TargetUnreachable } from '../suites/runner.js';
import { UsageError, type Io } from './io.js';
import { durationValue, freshSeed, positiveInteger, seedValue } from './options.js';
import { packageInfo } from '../job/package-info.js';
import { selectSpecs, specArguments, specDeviationsConfig } from '../job/select-specs.js';
import { specOption, specStrictOption } from './spec-options.js';
import { parseFormats, writeReports } from './report-output.js';
import { parseAuth, parseTarget, parseUrl, resolveSecret, selectEvents } from '../job/target-options.js';
import { addAuthOptions, type AuthOptions } from './target-options.js';

export interface FuzzOptions extends AuthOptions {
  target?: string;
  secret?: string;
  runs?: number;
  duration?: number;
  seed?: number;
  system?: string;
  spec?: string[];
  specStrict?: boolean;
  events?: string;
  concurrency: number;
  deadline: number;
  observe?: string;
  strict?: boolean;
  path?: string;
  retryAfter?: number;
  report?: string;
  out: string;
  replayDir: string;
  insecure?: boolean;
  progress: boolean;
}

export function registerFuzz(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('fuzz')
    .description('Fuzz a receiver: random valid, edge-case, forged and broken deliveries and lifecycle scenarios; shrinks the first failure')
    .addOption(new Option('--target <url>', 'the URL where your receiver takes Zoom webhooks'))
    .addOption(new Option('--secret <token>', "your app's Secret Token (better: ZOOM_WEBHOOK_SECRET_TOKEN; never printed)"))
    .addOption(new Option('--runs <n>', 'random cases to run (default 1000, or unlimited with --duration)').argParser(positiveInteger('--runs', 100_000_000)))
    .addOption(new Option('--duration <time>', 'fuzz for this long: 60s, 5m, 1h').argParser(durationValue('--duration')))
    .addOption(new Option('--seed <seed>', 'the run seed (default: random, printed)').argParser(seedValue))
    .addOption(new Option('--system <names>', `comma-separated bundled specs: ${WEBHOOK_SYSTEMS.join(', ')} (default: all four)`))
    .addOption(specOption('your own OpenAPI file instead of the bundled specs'))
    .addOption(specStrictOption())
    .addOption(new Option('--events <globs>', 'comma-separated globs over event names'))
    .addOption(new Option('--concurrency <n>', 'parallel lanes (deliveries in flight)').argParser(positiveInteger('--concurrency', 1000)).default(8))
    .addOption(new Option('--deadline <ms>', "per-delivery deadline (Zoom's is 3000)").argParser(positiveInteger('--deadline', 600_000)).default(ZOOM.deadlineMs))
    .addOption(new Option('--observe <url>', 'your observer hook: lifecycle scenarios then check that each delivery is applied exactly once'))
    .addOption(new Option('--strict', 'SHOULD-level failures (hostile input, broken bodies) stop and shrink too, and fail the run'))
    .addOption(new Option('--path <lane.round:path>', 'run only the case a previous fuzz run printed (same seed, target and selection)'))
    .addOption(
      new Option('--retry-after <time>', "also retry acknowledged deliveries this long after they were sent, e.g. 5m, 20m or 60m as Zoom does (with --duration longer than it)").argParser(
        durationValue('--retry-after'),
      ),
    )
    .addOption(new Option('--report <formats>', `report files to write: ${REPORT_FORMATS.join(', ')}`))
    .addOption(new Option('--out <dir>', 'the folder for report files').default('conformance-report'))
    .addOption(new Option('--replay-dir <dir>', 'where failing cases are saved as replay files').default(path.join('.conformance', 'failures')))
    .addOption(new Option('--no-progress', 'no progress line'))
    .addHelpText(
      'after',
      '\nProperties: valid deliveries and edges Zoom sends are acknowledged in time (MUST); forged or mangled\n' +
        'signatures are never accepted (MUST); lifecycles in any order with retries and concurrent copies are\n' +
        'acknowledged and, with --observe, applied exactly once (MUST); deliveries retried late (the run\'s earliest at\n' +
        'its end, others --retry-after after they were sent) are acknowledged and not applied again (MUST);\n' +
        'hostile-but-valid input is acknowledged and\n' +
        'broken bodies get no 5xx (SHOULD: recorded, not shrunk, unless --strict).\n' +
        'A failure is shrunk to the smallest case that still fails, printed with a command that runs it again, and\n' +
        'saved as a replay file (conformance replay FILE re-sends it byte for byte).\n\n' +
        'Ctrl-C or SIGTERM (or the exit of the process that started it) stops fuzzing at once: a failure being shrunk\n' +
        'is saved as the smallest found so far, the reports of what ran are written (marked "stopped by signal"),\n' +
        'exit 130 (SIGINT) or 143 (SIGTERM). A second signal exits at once.',
    );
  addAuthOptions(command)
    .action(async (options: FuzzOptions) => setExit(await fuzzCommand(options, io)));
}

export async function fuzzCommand(options: FuzzOptions, io: Io): Promise<number> {
  const target = parseTarget(options.target);
  const secret = resolveSecret(options, io);
  if (options.system !== undefined && options.spec !== undefined) throw new UsageError('give --system or --spec, not both');
  if (options.path !== undefined) {
    try {
      parsePath(options.path);
    } catch (error) {
      throw new UsageError(`--path: ${(error as Error).message}`);
    }
    if (options.seed === undefined) throw new UsageError('--path needs the --seed of the run that printed it');
  }
  const specs = await selectSpecs(options, io, WEBHOOK_SYSTEMS);
  const events = selectEvents(specs.flatMap((spec) => spec.events), options.events);
  if (events.length === 0) throw new UsageError('the selected specs describe no webhook events');
  const auth = parseAuth(options);
  const formats = parseFormats(options.report);
  const observer = options.observe ? new HttpObserver(parseUrl(options.observe, '--observe'), observerTiming(options.deadline)) : undefined;
  if (observer) {
    try {
      await observer.preflight();
    } catch (error) {
      if (error instanceof ObserverError) throw new UsageError(`--observe: ${error.message}`);
      throw error;
    }
  }
  const seed = options.seed ?? freshSeed();
  const { name: tool, version } = packageInfo();
  const redaction = { secret, credentialHeaders: credentialHeaderNames(auth) };
  const systems = specs.map((spec) => spec.system);
  const config: ConformanceReport['config'] = {
    systems,
    suites: ['acknowledgement', 'signature', 'idempotency', 'robustness'],
    events: events.length,
    examples: 0,
    deadlineMs: options.deadline,
    concurrency: options.concurrency,
    burst: 0,
    ...(options.retryAfter !== undefined ? { retryAfterMs: options.retryAfter } : {}),
    observer: observer !== undefined,
    strict: options.strict === true,
    ...specDeviationsConfig(specs, io.cwd),
  };
  printHeader(io, { tool, version, target: target.href, seed, config });
  const budget = options.path ? 'one saved case' : options.duration !== undefined ? `${options.duration / 1000} s${options.runs ? ` or ${options.runs} runs` : ''}` : `${options.runs ?? 1000} runs`;
  io.stdout.write(`fuzzing: ${budget}, ${options.concurrency} lanes\n`);
  // From here on Ctrl-C or SIGTERM (or the parent going away) stops fuzzing gracefully: the reports of what ran.
  const stop = io.listenForStop?.();
  try {
    const fixed = [
      `npx conformance fuzz --target ${quote(target.href)} --seed ${seed}`,
      options.spec !== undefined ? specArguments(options) : options.system !== undefined ? `--system ${quote(options.system)}` : '',
      options.events !== undefined ? `--events ${quote(options.events)}` : '',
      options.observe !== undefined ? `--observe ${quote(options.observe)}` : '',
      options.strict ? '--strict' : '',
      options.deadline !== ZOOM.deadlineMs ? `--deadline ${options.deadline}` : '',
      options.retryAfter !== undefined ? `--retry-after ${options.retryAfter}ms` : '',
    ].filter(Boolean);
    const progressLine = progressPrinter(io, options.progress);
    let outcome;
    try {
      outcome = await runFuzz(
        {
          target,
          secret,
          ...(auth ? { auth } : {}),
          events,
          seed,
          ...(options.runs !== undefined ? { runs: options.runs } : {}),
          ...(options.duration !== undefined ? { durationMs: options.duration } : {}),
          concurrency: options.concurrency,
          deadlineMs: options.deadline,
          ...(observer ? { observer } : {}),
          strict: options.strict === true,
          ...(options.path !== undefined ? { path: options.path } : {}),
          ...(options.retryAfter !== undefined ? { retryAfterMs: options.retryAfter } : {}),
          ...(options.insecure ? { insecure: true } : {}),
          replayDir: path.resolve(io.cwd, options.replayDir),
          redaction,
          tool: { name: tool, version },
          reproduce: (_check, _event, casePath) => (casePath ? [...fixed, `--path ${quote(casePath)}`].join(' ') : fixed.join(' ')),
          ...(stop ? { stop: stop.signal } : {}),
        },
        progressLine.update,
      );
    } catch (error) {
      if (error instanceof TargetUnreachable) throw new UsageError(error.message);
      throw error;
    } finally {
      progressLine.stop();
    }
    const report = buildReport(
      {
        tool,
        version,
        target: target.href,
        seed,
        startedAt: new Date(Date.now() - outcome.durationMs),
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
    for (const finding of outcome.findings) files.push(`replay file: ${path.relative(io.cwd, finding.replayFile)}`);
    const c = colorsFor(io);
    const classes = Object.entries(outcome.classes)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    io.stdout.write(`\n${outcome.runs} random cases (${classes || 'none'}) in ${(outcome.durationMs / 1000).toFixed(1)} s, ${Math.round((outcome.deliveries / outcome.durationMs) * 1000)} deliveries/s\n`);
    if (outcome.appliedBefore > 0) {
      io.stdout.write(
        `${c.yellow('note')}: the receiver had already applied ${outcome.appliedBefore} of the event and event_ts pairs this run sent, before it sent them (an earlier run with seed ${seed} against the same receiver process?); what the observer counted for them was not judged. Restart the receiver, or use another seed, to judge them too.\n`,
      );
    }
    for (const finding of outcome.findings.filter((entry) => entry.shrunk)) {
      io.stdout.write(`${c.bold('shrunk failure')} ${printable(finding.check.id)} on ${printable(finding.event)} after ${finding.numShrinks} shrinks: seed ${seed}, path ${finding.path}\n`);
    }
    printResults(io, report, { allFailures: true, files });
    const requested = stop?.request();
    if (requested) return requested.exitCode;
    if (outcome.stopped?.unreachable) {
      io.stderr.write(`conformance: ${printable(outcome.stopped.reason)}\n`);
      return 2;
    }
    return report.summary.verdict === 'pass' ? 0 : 1;
  } finally {
    stop?.close();
  }
}

function progressPrinter(io: Io, enabled: boolean): { update: (progress: FuzzProgress) => void; stop: () => void } {
  if (!enabled) return { update() {}, stop() {} };
  let last = 0;
  let written = false;
  const line = (progress: FuzzProgress) =>
    `fuzz: ${progress.runs} runs, ${progress.deliveries} deliveries, ${progress.failures} failures, ${Math.round((progress.deliveries / Math.max(1, progress.elapsedMs)) * 1000)}/s`;
  return {
    update(progress) {
      if (io.stderr.isTTY) {
        io.stderr.write(`\r${line(progress)}\u001b[K`);
        written = true;
      } else if (progress.elapsedMs - last >= 5000) {
        last = progress.elapsedMs;
        io.stderr.write(`${line(progress)}\n`);
      }
    },
    stop() {
      if (written) io.stderr.write('\n');
    },
  };
}
