/**
 * Runs a planned job: serves an in-process target for the run (closed afterwards, whatever happens), checks the
 * observer's contract, runs the suites and builds the report (diagnosed, bounded, the baseline applied). The command
 * line and the library both run the main job through here; neither prints nor writes here.
 */
import { setMaxListeners } from 'node:events';
import { serveInProcess, type ServedTarget } from '../engine/in-process-target.js';
import { buildReport, type ConformanceReport } from '../reports/report.js';
import { HttpObserver, ObserverError } from '../suites/observer.js';
import { runSuites, TargetUnreachable, type RunConfig, type RunOutcome, type RunProgress } from '../suites/runner.js';
import { observerTiming, type JobPlan } from './plan.js';
import { shardEvents } from './shard.js';
import { UsageError } from './usage-error.js';

export interface JobHooks {
  /** Stops the run when aborted (the command line's signals, the library's `signal`): what ran is reported. */
  stop?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** How the observer option is named in messages (`--observe`, `observe`). */
  observeName?: string;
}

export interface JobOutcome {
  report: ConformanceReport;
  /** Why the run stopped early, if it did (see RunOutcome.stopped). */
  stopped?: RunOutcome['stopped'];
  /** Failures of this tool itself (the results they touched are skipped). */
  internalErrors: string[];
}

/**
 * The caller's stop signal as the run's own: every wait of the run listens to it (a run holds many at once), which
 * is no leak, so the run's signal takes any number of listeners without Node's warning. `release` unhooks it from
 * the caller's signal once the run is over.
 */
function runSignal(stop: AbortSignal | undefined): { signal?: AbortSignal; release(): void } {
  if (!stop) return { release() {} };
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const forward = () => controller.abort(stop.reason);
  if (stop.aborted) forward();
  else stop.addEventListener('abort', forward, { once: true });
  return { signal: controller.signal, release: () => stop.removeEventListener('abort', forward) };
}

/**
 * Runs the job. Throws UsageError when the observer breaks its contract before anything is sent or the target
 * cannot be reached at all.
 */
export async function runJob(plan: JobPlan, hooks: JobHooks = {}): Promise<JobOutcome> {
  let served: ServedTarget | undefined;
  const stop = runSignal(hooks.stop);
  try {
    if ('handler' in plan.target) served = await serveInProcess(plan.target.handler, plan.target.path);
    const url = served?.url ?? ('url' in plan.target ? plan.target.url : undefined)!;
    const observer = plan.observer ?? (plan.observerPath !== undefined ? new HttpObserver(new URL(plan.observerPath, url), observerTiming(plan.config.deadlineMs)) : undefined);
    if (observer) {
      try {
        await observer.preflight();
      } catch (error) {
        if (error instanceof ObserverError) throw new UsageError(`${hooks.observeName ?? 'observe'}: ${error.message}`);
        throw error;
      }
    }
    const config: RunConfig = {
      target: url,
      secret: plan.secret,
      events: plan.events,
      suites: plan.suites,
      ...(plan.checkFilter ? { checkFilter: plan.checkFilter } : {}),
      examples: plan.config.examples,
      seed: plan.seed,
      deadlineMs: plan.config.deadlineMs,
      concurrency: plan.config.concurrency,
      burst: plan.config.burst,
      copies: plan.config.copies,
      retryAfterMs: plan.config.retryAfterMs,
      ...(observer ? { observer } : {}),
      ...(plan.auth ? { auth: plan.auth } : {}),
      ...(plan.insecure ? { insecure: true } : {}),
      reproduce: plan.reproduce,
      ...(plan.shard ? { shard: { events: shardEvents(plan.events, plan.shard), runLevel: plan.shard.index === 1 } } : {}),
      ...(stop.signal ? { stop: stop.signal } : {}),
    };
    let outcome: RunOutcome;
    try {
      outcome = await runSuites(config, hooks.onProgress ? { onProgress: hooks.onProgress } : {});
    } catch (error) {
      if (error instanceof TargetUnreachable) throw new UsageError(error.message);
      throw error;
    }
    const report = buildReport(
      {
        tool: plan.tool,
        version: plan.version,
        target: plan.targetLabel,
        seed: plan.seed,
        startedAt: outcome.startedAt,
        durationMs: outcome.durationMs,
        deliveries: outcome.deliveries,
        latencies: outcome.latencies,
        ...(outcome.stopped ? { stopped: outcome.stopped.reason } : {}),
        config: plan.config,
        results: outcome.results,
        ...(plan.baseline ? { baseline: plan.baseline } : {}),
      },
      plan.redaction,
    );
    return { report, ...(outcome.stopped ? { stopped: outcome.stopped } : {}), internalErrors: outcome.internalErrors };
  } finally {
    stop.release();
    await served?.close();
  }
}
