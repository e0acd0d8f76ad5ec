/**
 * `conformance api --target URL`: property-based contract checks of a server that claims to implement the Zoom
 * Video SDK REST API (the bundled spec), or the API of `--spec` files, in the same engine, results and report
 * formats as the webhook suites.
 * Read-only by default: operations that may change or delete state (POST, PUT, PATCH, DELETE) run only with
 * `--unsafe`. Exit codes: 0 no MUST failure (strict: no failure), 1 a failure, 2 usage or unreachable target,
 * 70 an internal error.
 */
import { Option, type Command } from 'commander';
import picomatch from 'picomatch';
import { REPORT_FORMATS } from '../reports/index.js';
import { buildReport, type ConformanceReport } from '../reports/report.js';
import { colorsFor, printable, printResults, progressDisplay } from '../reports/console.js';
import type { Redaction } from '../reports/redaction.js';
import { loadBundledSpec, type ApiOperation, type Spec } from '../specs/catalog.js';
import { API_SUITE_IDS, type Check } from '../suites/check.js';
import { API_CHECKS, type ApiCheck } from '../suites/api/checks.js';
import { isReadOnly, operationLabel, PLACEHOLDER_TOKEN } from '../suites/api/requests.js';
import { runApiContract } from '../suites/api/runner.js';
import { TargetUnreachable } from '../suites/runner.js';
import { UsageError, type Io } from './io.js';
import { freshSeed, positiveInteger, seedValue } from './options.js';
import { packageInfo } from '../job/package-info.js';
import { EXIT_INTERNAL } from './run.js';
import { loadSpecFiles, specArguments, specDeviationsConfig, splitList } from '../job/select-specs.js';
import { specOption, specStrictOption } from './spec-options.js';
import { parseFormats, writeReports } from './report-output.js';
import { parseUrl } from '../job/target-options.js';

const SYSTEM = 'video-sdk-api';
const DEFAULT_EXAMPLES = 3;
const DEFAULT_DEADLINE_MS = 10_000;
const DEFAULT_CONCURRENCY = 4;
export const TOKEN_ENV = 'ZOOM_API_TOKEN';

export interface ApiOptions {
  target?: string;
  spec?: string[];
  specStrict?: boolean;
  token?: string;
  operations?: string;
  checks?: string;
  examples: number;
  seed?: number;
  deadline: number;
  concurrency: number;
  unsafe?: boolean;
  strict?: boolean;
  report?: string;
  out: string;
  allFailures?: boolean;
  progress: boolean;
  insecure?: boolean;
}

export function registerApi(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('api')
    .description('Contract checks of a server that implements the Zoom Video SDK REST API, or the API of your --spec files (a fake, a mock, a proxy)')
    .addOption(new Option('--target <url>', 'the base URL the spec paths go after, e.g. http://127.0.0.1:4010 or https://api.zoom.us/v2'))
    .addOption(specOption('the OpenAPI file of the API instead of the bundled Video SDK REST API'))
    .addOption(specStrictOption())
    .addOption(new Option('--token <jwt>', `the bearer token to send (better: the ${TOKEN_ENV} environment variable; never printed)`))
    .addOption(new Option('--operations <globs>', 'comma-separated: "GET /videosdk/sessions", globs such as "GET /videosdk/**", paths or operationIds'))
    .addOption(new Option('--checks <globs>', 'comma-separated globs over check ids, e.g. "api-contract.response-schema"'))
    .addOption(new Option('--examples <n>', 'valid requests per operation').argParser(positiveInteger('--examples', 1000)).default(DEFAULT_EXAMPLES))
    .addOption(new Option('--seed <seed>', 'the run seed (default: random, printed); the same seed sends the same requests').argParser(seedValue))
    .addOption(new Option('--deadline <ms>', 'per-request deadline').argParser(positiveInteger('--deadline', 600_000)).default(DEFAULT_DEADLINE_MS))
    .addOption(new Option('--concurrency <n>', 'requests in flight at once').argParser(positiveInteger('--concurrency', 1000)).default(DEFAULT_CONCURRENCY))
    .addOption(new Option('--unsafe', 'also run the operations that change or delete state (POST, PUT, PATCH, DELETE)'))
    .addOption(new Option('--strict', 'SHOULD failures fail the run too'))
    .addOption(new Option('--report <formats>', `comma-separated report files to write: ${REPORT_FORMATS.join(', ')}`))
    .addOption(new Option('--out <dir>', 'the folder for report files').default('conformance-report'))
    .addOption(new Option('--all-failures', 'print every failure in full (default: the first 3 per check)'))
    .addOption(new Option('--no-progress', 'no progress bar or progress lines'))
    .addOption(new Option('--insecure', 'accept a self-signed TLS certificate (test targets only)'))
    .addHelpText(
      'after',
      '\nPer operation: valid requests (path and query parameters from their schemas, bodies from the request body\n' +
        'schema), then the checks: no 5xx, a declared status, the declared content-type and a body that validates\n' +
        'against the schema declared for that status (MUST); bodies that break the schema answered 4xx; requests\n' +
        'without a bearer token, and (with --token) with a forged one, answered 401 (SHOULD). A status counts as\n' +
        'declared only if the operation declares it (a 404 for a random id passes only where 404 is declared).\n\n' +
        'Read-only by default: GET and HEAD only. --unsafe adds POST, PUT, PATCH and DELETE: against a real account\n' +
        'they create, change and delete things.\n\n' +
        'Examples:\n' +
        '  npx conformance mock-api &     # Prism on http://127.0.0.1:4010\n' +
        '  npx conformance api --target http://127.0.0.1:4010\n' +
        '  npx conformance api --target http://localhost:9000/zoom --unsafe --operations "* /videosdk/sessions/**"\n' +
        '  npx conformance api --target http://127.0.0.1:4010 --spec zoom-video-sdk-api.json   # Zoom\'s current file\n' +
        `  ${TOKEN_ENV}=eyJ... npx conformance api --target https://your-proxy.example/v2 --report json\n\n` +
        'Ctrl-C or SIGTERM (or the exit of the process that started it) stops it gracefully: nothing more is sent, the\n' +
        'reports of what ran are written (marked "stopped by signal"; checks not reached are skipped), exit 130 (SIGINT)\n' +
        'or 143 (SIGTERM). A second signal exits at once.\n\n' +
        'Exit codes: 0 no MUST failure (--strict: no failure), 1 a check failed, 2 usage, configuration or\n' +
        'unreachable target, 70 an internal error of conformance.',
    )
    .action(async (options: ApiOptions) => {
      setExit(await apiCommand(options, io));
    });
}

/** Operations matching any of the comma-separated patterns (`METHOD /path` labels, paths, operationIds; globs). */
export function selectOperations(operations: readonly ApiOperation[], globs: string | undefined, listHint = `--system ${SYSTEM}`): ApiOperation[] {
  if (globs === undefined) return [...operations];
  const patterns = splitList(globs);
  if (patterns.length === 0) throw new UsageError('--operations needs at least one pattern');
  const names = (operation: ApiOperation) => [operationLabel(operation), operation.path, operation.operationId ?? ''];
  const matchers = patterns.map((pattern) => {
    const glob = picomatch(pattern, { nocase: true, dot: true });
    const match = (operation: ApiOperation) => names(operation).some((name) => name.toLowerCase() === pattern.toLowerCase() || glob(name));
    if (!operations.some(match)) throw new UsageError(`--operations: "${pattern}" matches no operation (see: conformance list ${listHint})`);
    return match;
  });
  return operations.filter((operation) => matchers.some((match) => match(operation)));
}

function selectChecks(globs: string | undefined): ApiCheck[] {
  if (globs === undefined) return [...API_CHECKS];
  const patterns = splitList(globs);
  if (patterns.length === 0) throw new UsageError('--checks needs at least one glob');
  const matchers = patterns.map((pattern) => {
    const match = picomatch(pattern);
    if (!API_CHECKS.some((check) => match(check.id))) throw new UsageError(`--checks: "${pattern}" matches no API contract check (see: conformance checks)`);
    return match;
  });
  return API_CHECKS.filter((check) => matchers.some((match) => match(check.id)));
}

function quote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export async function apiCommand(options: ApiOptions, io: Io): Promise<number> {
  if (!options.target) throw new UsageError('--target URL is required (the base URL of the server, e.g. http://127.0.0.1:4010)');
  const target = parseUrl(options.target, '--target');
  const given = options.token ?? io.env[TOKEN_ENV];
  if (given !== undefined && !given.trim()) throw new UsageError(`--token (or ${TOKEN_ENV}) is empty`);
  const token = given?.trim() ?? PLACEHOLDER_TOKEN;
  const specs: Spec[] = options.spec ? await loadSpecFiles(options.spec, io, options.specStrict === true) : [loadBundledSpec(SYSTEM)];
  const all = specs.flatMap((spec) => spec.operations);
  if (all.length === 0) throw new UsageError(`${specs.map((spec) => spec.system).join(', ')}: no REST operations (keys of "paths" that start with "/"); webhook events are tested by \`conformance --target\``);
  const systems = specs.map((spec) => spec.system);
  const selected = selectOperations(all, options.operations, options.spec ? specArguments(options) : `--system ${SYSTEM}`);
  const operations = options.unsafe ? selected : selected.filter(isReadOnly);
  const leftOut = selected.length - operations.length;
  if (operations.length === 0) throw new UsageError('--operations: every selected operation changes or deletes state; add --unsafe to run them');
  const checks = selectChecks(options.checks);
  const formats = parseFormats(options.report);
  const seed = options.seed ?? freshSeed();
  const { name: tool, version } = packageInfo();
  const redaction: Redaction = { secret: given === undefined ? '' : token, credentialHeaders: ['authorization'] };
  const config: ConformanceReport['config'] = {
    systems,
    suites: [...API_SUITE_IDS],
    events: 0,
    operations: operations.length,
    operationsLeftOut: leftOut,
    unsafe: options.unsafe === true,
    examples: options.examples,
    deadlineMs: options.deadline,
    concurrency: options.concurrency,
    burst: 0,
    observer: false,
    strict: options.strict === true,
    ...specDeviationsConfig(specs, io.cwd),
  };
  const fixed = [
    `npx conformance api --target ${quote(target.href)}`,
    specArguments(options),
    `--seed ${seed}`,
    options.examples !== DEFAULT_EXAMPLES ? `--examples ${options.examples}` : '',
    options.deadline !== DEFAULT_DEADLINE_MS ? `--deadline ${options.deadline}` : '',
    given !== undefined ? `--token '<token>'` : '',
    options.insecure ? '--insecure' : '',
  ].filter(Boolean);
  const reproduce = (check: Check, operation: ApiOperation | undefined) =>
    [...fixed, operation ? `--operations ${quote(operationLabel(operation))}` : '', operation && !isReadOnly(operation) ? '--unsafe' : '', `--checks ${check.id}`]
      .filter(Boolean)
      .join(' ');

  const c = colorsFor(io);
  io.stdout.write(
    `${c.bold(`${tool} ${version}`)} → ${printable(target.href)} (API contract)\n` +
      `seed ${seed} · ${operations.length} operation${operations.length === 1 ? '' : 's'} (${systems.join(', ')}) · checks: ${checks.length} of ${API_SUITE_IDS.join(', ')} · ` +
      `token: ${given === undefined ? 'placeholder (no --token)' : 'given'}\n` +
      (leftOut > 0 ? `read-only: ${leftOut} operations that change or delete state (POST, PUT, PATCH, DELETE) left out; --unsafe runs them\n` : ''),
  );
  // From here on Ctrl-C or SIGTERM (or the parent going away) stops the run gracefully: the reports of what ran.
  const stop = io.listenForStop?.();
  try {
    const progress = progressDisplay(io, options.progress);
    let outcome;
    try {
      outcome = await runApiContract(
        {
          target,
          system: systems.join(','),
          operations,
          checks,
          token,
          tokenGiven: given !== undefined,
          examples: options.examples,
          seed,
          deadlineMs: options.deadline,
          concurrency: options.concurrency,
          ...(options.insecure ? { insecure: true } : {}),
          userAgent: `${tool}/${version}`,
          reproduce,
          ...(stop ? { stop: stop.signal } : {}),
        },
        { onProgress: (state) => progress.update(state) },
      );
    } catch (error) {
      if (error instanceof TargetUnreachable) throw new UsageError(error.message);
      throw error;
    } finally {
      progress.stop();
    }
    const { stopped, internalErrors, ...measured } = outcome;
    const report = buildReport({ tool, version, target: target.href, seed, config, ...measured, ...(stopped ? { stopped: stopped.reason } : {}) }, redaction);
    const files = await writeReports(report, formats, options.out, io);
    printResults(io, report, { allFailures: options.allFailures === true, files });
    for (const error of internalErrors) io.stderr.write(`conformance: internal error: ${printable(error)}\n`);
    const requested = stop?.request();
    if (requested) return requested.exitCode;
    if (internalErrors.length > 0) return EXIT_INTERNAL;
    // The target went away during the run (the rest is skipped): as unreachable as one that never answered.
    if (stopped) io.stderr.write(`conformance: ${printable(stopped.reason)}\n`);
    return stopped ? 2 : report.summary.verdict === 'pass' ? 0 : 1;
  } finally {
    stop?.close();
  }
}
