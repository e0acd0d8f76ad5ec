/**
 * `runConformance(options)`: the main job from code. The same pipeline as the command line (job/plan.ts,
 * job/run.ts), options named as in a configuration file (`retryAfter`, `suites`), resolving to the report object the
 * JSON report holds. It prints nothing (spec files' deviations aside: one warning line each on stderr) and installs
 * no process-wide handler: `signal` stops it.
 */
import { checkOptions, type ConformanceOptions } from '../job/options.js';
import { optionName, planJob, type JobPlan } from '../job/plan.js';
import { writeReportFiles } from '../job/report-files.js';
import { runJob, type JobOutcome } from '../job/run.js';
import { UsageError } from '../job/usage-error.js';
import type { ConformanceReport } from '../reports/report.js';

/** A failure of this tool itself during a run (please report it); `report` holds what ran. */
export class ConformanceInternalError extends Error {
  override name = 'ConformanceInternalError';
  constructor(
    message: string,
    readonly report: ConformanceReport,
  ) {
    super(message);
  }
}

/**
 * Runs the suites against `options.target` and resolves to the report (`report.summary.verdict`, `report.findings`,
 * `report.checks`). Rejects with a UsageError (one line) for options that do not hold or a target that cannot be
 * reached, with ConformanceInternalError for a bug of this tool.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  return (await conformanceJob(options, 'runConformance', 'runConformance(')).report;
}

/** The library's run, for the library's front doors: `where` names the caller in messages, `call` starts reproduce lines. */
export async function conformanceJob(options: ConformanceOptions, where: string, call: string): Promise<JobOutcome & { plan: JobPlan }> {
  checkOptions(options, { where, source: 'library' });
  const { cwd = process.cwd(), signal, onProgress, ...rest } = options;
  const named = <T>(work: () => Promise<T>) => work().catch((error: unknown) => Promise.reject(error instanceof UsageError ? new UsageError(`${where}: ${error.message}`) : error));
  const plan = await named(() => planJob(rest, { cwd, env: process.env, stderr: process.stderr, nameOf: optionName, reproduce: { kind: 'call', call } }));
  const outcome = await named(() => runJob(plan, { ...(signal ? { stop: signal } : {}), ...(onProgress ? { onProgress } : {}), observeName: 'observe' }));
  if (plan.formats.length > 0) await writeReportFiles(outcome.report, plan.formats, plan.outDir);
  if (outcome.internalErrors.length > 0) throw new ConformanceInternalError(`internal error of zoom-conformance (please report it): ${outcome.internalErrors[0]}`, outcome.report);
  return { ...outcome, plan };
}
