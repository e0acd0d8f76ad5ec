/**
 * `zoom-conformance/vitest`: `describeConformance(title, options)` registers one vitest test per selected check, all
 * sharing one run of the suites (in the describe block's `beforeAll`; with a `-t` filter, only the checks whose tests
 * run are run). A check's events are its sub-results (`task.meta.conformance`); a failure's message names each
 * failing event with its reason, its finding (cause and fix) and the line that reproduces it.
 *
 * MUST failures fail their test; SHOULD failures fail it only with `strict: true` and are otherwise annotations
 * (`context.annotate`, shown by vitest's verbose reporter and UI). Failures a baseline accepts never fail a test:
 * they are annotated with their reason; its stale entries are warned about once per block. A check whose every result was skipped is a skipped test with the reason; one the run
 * did not reach because the target went away fails.
 *
 * vitest is a peer dependency of this entry point only: the command line and the library never load it.
 */
import { beforeAll, describe, test, type TestContext } from 'vitest';
import type { ConformanceOptions } from '../job/options.js';
import { checkOptions, listItems } from '../job/options.js';
import { selectChecks, selectSuites } from '../job/plan.js';
import { UsageError } from '../job/usage-error.js';
import { conformanceJob } from '../library/run-conformance.js';
import { entryName } from '../reports/baseline.js';
import { printable } from '../reports/console.js';
import type { CheckRecord, ConformanceReport } from '../reports/report.js';
import type { Check } from '../suites/check.js';
import { selectedChecks } from '../suites/runner.js';

export interface DescribeConformanceOptions extends ConformanceOptions {
  /** The longest the shared run may take, in milliseconds (default: 10 minutes, more with a long `retryAfter`). */
  timeout?: number;
}

/** What each test records of its check, per event (`task.meta.conformance`), for reporters and the UI. */
export interface ConformanceMeta {
  check: string;
  level: 'MUST' | 'SHOULD';
  results: { event: string | null; status: 'pass' | 'fail' | 'skip'; reason: string | null; finding?: string; accepted?: string; reproduce: string }[];
}

/** Failures shown in full in a test's message; the rest are named. */
const SHOWN_FAILURES = 5;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Registers a describe block with one test per selected check, sharing one run of the suites against `options.target`. */
export function describeConformance(title: string, options: DescribeConformanceOptions): void {
  const { timeout, ...run } = options;
  checkOptions(run, { where: 'describeConformance', source: 'library' });
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1)) throw new UsageError('describeConformance: timeout must be a whole number of milliseconds');
  const checks = checksOf(run);
  const testName = (check: Check) => `${check.id} (${check.level})`;
  const byName = new Map(checks.map((check) => [testName(check), check]));
  const retryAfter = typeof run.retryAfter === 'number' ? run.retryAfter : 0;
  let report: ConformanceReport | undefined;

  describe(title, () => {
    // No declared parameters: vitest 4 reads a hook's first parameter as fixtures; the suite comes first (3) or second (4).
    beforeAll(async function () {
      // With a -t filter, vitest skips the other tests: only the checks of the tests that run are run.
      // eslint-disable-next-line prefer-rest-params
      const running = runningTests([...arguments]);
      const wanted = running ? checks.filter((check) => running.has(testName(check))).map((check) => check.id) : undefined;
      const selection = wanted && wanted.length > 0 && wanted.length < checks.length ? { checks: wanted } : {};
      report = (await conformanceJob({ ...run, ...selection }, 'describeConformance', `describeConformance(${JSON.stringify(title)}, `)).report;
      // Stale baseline entries belong to no check's test: said once, for the block.
      for (const entry of report.baseline?.entries.filter((candidate) => candidate.status === 'stale') ?? []) {
        console.warn(`conformance: baseline ${printable(report.baseline!.file)}: stale ${printable(entryName(entry))}: accepts nothing any more (its checks ran and passed); remove it`);
      }
    }, timeout ?? DEFAULT_TIMEOUT_MS + 2 * retryAfter);

    for (const [name, check] of byName) {
      test(name, async (context) => {
        if (!report) throw new Error('describeConformance: the run did not complete (see the error of the describe block)');
        await judge(check, report, run.strict === true, context);
      });
    }
  });
}

/** The checks the options select, known before anything runs (one test each). */
function checksOf(options: ConformanceOptions): Check[] {
  try {
    const suites = selectSuites(listItems(options.suites), 'suites');
    const filter = selectChecks(listItems(options.checks), suites, 'checks');
    return selectedChecks({ suites, ...(filter ? { checkFilter: filter } : {}) });
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`describeConformance: ${error.message}`);
    throw error;
  }
}

/** The names of the tests of the describe block that will run (vitest 3 passes the suite first, vitest 4 second). */
function runningTests(args: readonly unknown[]): Set<string> | undefined {
  const suite = args.find((arg): arg is { tasks: { name: string; mode: string }[] } => arg !== null && typeof arg === 'object' && Array.isArray((arg as { tasks?: unknown }).tasks));
  if (!suite) return undefined;
  return new Set(suite.tasks.filter((task) => task.mode === 'run' || task.mode === 'only').map((task) => task.name));
}

async function judge(check: Check, report: ConformanceReport, strict: boolean, context: TestContext): Promise<void> {
  const results = report.checks.filter((record) => record.id === check.id);
  (context.task.meta as { conformance?: ConformanceMeta }).conformance = {
    check: check.id,
    level: check.level,
    results: results.map((record) => ({
      event: record.event,
      status: record.status,
      reason: record.reason,
      ...(record.finding ? { finding: record.finding } : {}),
      ...(record.accepted ? { accepted: record.accepted.reason } : {}),
      reproduce: record.reproduce,
    })),
  };
  const failed = results.filter((record) => record.status === 'fail');
  const accepted = failed.filter((record) => record.accepted);
  const fresh = failed.filter((record) => !record.accepted);
  for (const record of accepted.slice(0, SHOWN_FAILURES)) {
    await annotate(context, `accepted by the baseline: ${where(record)}: ${printable(record.accepted!.reason)}`, 'notice');
  }
  if (accepted.length > SHOWN_FAILURES) await annotate(context, `accepted by the baseline: ${accepted.length - SHOWN_FAILURES} more failures`, 'notice');
  if (fresh.length > 0) {
    const message = failureMessage(check, results.length, fresh, report);
    if (check.level === 'MUST' || strict) throw conformanceFailure(message);
    await annotate(context, `SHOULD (not failing without strict: true): ${message}`, 'warning');
    return;
  }
  const notReached = results.filter((record) => record.status === 'skip' && record.reason?.startsWith('not reached'));
  if (report.stopped && notReached.length > 0) {
    throw conformanceFailure(`${check.id}: the run stopped early (${printable(report.stopped)}): ${notReached.length} of ${results.length} results not reached`);
  }
  if (results.length > 0 && results.every((record) => record.status === 'skip')) {
    context.skip(printable([...new Set(results.map((record) => record.reason ?? 'skipped'))].join('; ')));
  }
}

function failureMessage(check: Check, total: number, failures: readonly CheckRecord[], report: ConformanceReport): string {
  const lines = [`${check.id} (${check.level}): ${failures.length} of ${total} ${total === 1 ? 'result' : 'results'} failed: ${check.title}`];
  const told = new Set<string>();
  for (const record of failures.slice(0, SHOWN_FAILURES)) {
    lines.push(`  ${where(record)}: ${printable(record.reason ?? 'failed')}`);
    const finding = report.findings.find((candidate) => candidate.id === record.finding);
    // A finding's cause and fix once; after that, its id.
    if (finding) lines.push(`    finding: ${printable(finding.id)}${told.has(finding.id) ? '' : `: ${printable(finding.cause)} Fix: ${printable(finding.fix)}`}`);
    if (finding) told.add(finding.id);
    lines.push(`    reproduce: ${printable(record.reproduce)}`);
  }
  if (failures.length > SHOWN_FAILURES) {
    const rest = failures.slice(SHOWN_FAILURES).map((record) => record.event ?? '(endpoint)');
    lines.push(`  … and ${rest.length} more: ${printable(rest.slice(0, 12).join(', '))}${rest.length > 12 ? ', …' : ''}`);
  }
  return lines.join('\n');
}

function where(record: CheckRecord): string {
  return printable(record.event ?? '(endpoint)');
}

/** An assertion-like error without this module's stack frames: the message is the whole story. */
function conformanceFailure(message: string): Error {
  const error = new Error(message);
  error.name = 'ConformanceFailure';
  error.stack = `${error.name}: ${message}`;
  return error;
}

async function annotate(context: TestContext, message: string, type: string): Promise<void> {
  const annotateFn = (context as Partial<Pick<TestContext, 'annotate'>>).annotate;
  if (typeof annotateFn === 'function') await annotateFn(message, type);
  else process.stderr.write(`${type}: ${message}\n`);
}
