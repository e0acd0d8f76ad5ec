/**
 * Runs the API contract checks against a server: per selected operation, plans its requests (deterministic for
 * the seed and the operation), sends those the selected checks need through the delivery engine (bounded
 * concurrency, deadline, capped bodies), and judges each check on exactly the operation's declarations. Emits every
 * result as it is reached; never formats output. Follows the webhook runner's contract: a check that could not run
 * is skipped with its reason; a target that stops accepting connections ends the run early.
 */
import pLimit from 'p-limit';
import { EngineStopped, HttpEngine, unreachableReason, type Exchange } from '../../engine/http.js';
import type { ApiOperation } from '../../specs/catalog.js';
import { SchemaValidator } from '../../specs/schema-validator.js';
import type { Check, CheckResult, Verdict } from '../check.js';
import { stopReason, TargetUnreachable, type RunProgress } from '../runner.js';
import type { ApiCheck, ApiFeed } from './checks.js';
import { operationLabel, planRequests, type RequestPlan } from './requests.js';

export interface ApiRunConfig {
  /** The base URL the spec's paths are appended to. */
  target: URL;
  /** The spec's system name (results carry each operation's own). */
  system: string;
  operations: readonly ApiOperation[];
  /** The selected checks. */
  checks: readonly ApiCheck[];
  token: string;
  /** Whether `token` is a real one (`--token`); without it, forged tokens are not tried. */
  tokenGiven: boolean;
  examples: number;
  seed: number;
  deadlineMs: number;
  concurrency: number;
  insecure?: boolean;
  maxResponseBytes?: number;
  userAgent: string;
  /** The command line that repeats one check on one operation (undefined: the whole run). */
  reproduce: (check: Check, operation: ApiOperation | undefined) => string;
  /** Stops the run when aborted, as `RunConfig.stop` does for the webhook runner. */
  stop?: AbortSignal;
}

export interface ApiRunListener {
  onProgress?(progress: RunProgress): void;
  onResult?(result: CheckResult): void;
}

export interface ApiRunOutcome {
  results: CheckResult[];
  startedAt: Date;
  durationMs: number;
  /** Requests sent. */
  deliveries: number;
  latencies: number[];
  stopped?: { reason: string; unreachable: boolean; requested: boolean };
  internalErrors: string[];
}

const REFUSALS_TO_STOP = 5;
/** API responses (lists) are larger than webhook acknowledgements. */
const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

const FEED_OF: Record<ApiFeed, keyof RequestPlan> = {
  valid: 'valid',
  'invalid-body': 'invalidBodies',
  'without-credentials': 'withoutCredentials',
  'forged-token': 'forgedToken',
};

/** Why a check gets no result on an operation (undefined: it runs there). */
function notApplicable(check: ApiCheck, operation: ApiOperation): string | undefined {
  if (check.feeds === 'invalid-body' && !operation.requestBody) return 'takes no request body';
  if ((check.feeds === 'without-credentials' || check.feeds === 'forged-token') && operation.public) return 'needs no authentication';
  return undefined;
}

export async function runApiContract(config: ApiRunConfig, listener: ApiRunListener = {}): Promise<ApiRunOutcome> {
  const problem = await unreachableReason(config.target, config.deadlineMs, config.insecure);
  if (problem) throw new TargetUnreachable(`cannot reach ${config.target.origin}: ${problem}`);

  const startedAt = new Date();
  const start = performance.now();
  const results: CheckResult[] = [];
  const latencies: number[] = [];
  const internalErrors: string[] = [];
  const engine = new HttpEngine({
    deadlineMs: config.deadlineMs,
    concurrency: config.concurrency,
    maxResponseBytes: config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    stopAfterRefusals: REFUSALS_TO_STOP,
    ...(config.insecure ? { insecure: true } : {}),
    onExchange: (exchange) => exchange.response && latencies.push(exchange.latencyMs),
  });
  const requestStop = () => engine.stop(stopReason(config.stop!), { abortInFlight: true });
  if (config.stop?.aborted) requestStop();
  config.stop?.addEventListener('abort', requestStop, { once: true });
  const validator = new SchemaValidator();
  let failures = 0;
  let tasksDone = 0;
  const progress = () => listener.onProgress?.({ tasksDone, tasksTotal: config.operations.length, deliveries: engine.sent, failures, phase: 'deliveries' });
  const record = (check: Check, operation: ApiOperation | undefined, verdict: Verdict, exchanges: Exchange[]) => {
    const result: CheckResult = {
      check,
      ...(operation ? { event: operationLabel(operation), system: operation.system } : {}),
      status: verdict.status,
      ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}),
      exchanges: verdict.exchanges ?? exchanges,
      reproduce: config.reproduce(check, operation),
    };
    results.push(result);
    if (result.status === 'fail') failures++;
    listener.onResult?.(result);
  };

  const runOperation = async (operation: ApiOperation) => {
    const checks = config.checks.filter((check) => notApplicable(check, operation) === undefined);
    try {
      if (checks.length === 0) return;
      if (engine.stopped) throw new EngineStopped(engine.stopped);
      const plan = planRequests(operation, config);
      const feeds = [...new Set(checks.map((check) => check.feeds))];
      const sent = new Map<ApiFeed, Exchange[]>();
      // Each feed's requests together (the engine bounds how many are in flight).
      await Promise.all(feeds.map(async (feed) => sent.set(feed, await Promise.all(plan[FEED_OF[feed]].map((request) => engine.send(request))))));
      for (const check of checks) {
        const exchanges = sent.get(check.feeds) ?? [];
        if (exchanges.length === 0) continue;
        record(check, operation, check.judgeOperation(exchanges, operation, validator), exchanges);
      }
    } catch (error) {
      let reason: string;
      if (error instanceof EngineStopped) reason = `not reached: ${error.reason}`;
      else {
        internalErrors.push(`${operationLabel(operation)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        reason = `internal error in conformance (${error instanceof Error ? error.message : String(error)})`;
      }
      const done = new Set(results.filter((result) => result.event === operationLabel(operation)).map((result) => result.check.id));
      for (const check of checks) if (!done.has(check.id)) record(check, operation, { status: 'skip', reason }, []);
    } finally {
      tasksDone++;
      progress();
    }
  };

  try {
    const limit = pLimit(Math.max(2, config.concurrency));
    await Promise.all(config.operations.map((operation) => limit(() => runOperation(operation))));
  } finally {
    config.stop?.removeEventListener('abort', requestStop);
    await engine.close();
  }
  const requested = engine.stopped !== undefined && config.stop?.aborted === true && engine.stopped === stopReason(config.stop);
  // A selected check no operation could feed is skipped once, with the reason, never silently absent.
  for (const check of config.checks) {
    if (results.some((result) => result.check.id === check.id)) continue;
    const reason =
      check.feeds === 'forged-token' && !config.tokenGiven
        ? 'no --token given: requests carry a placeholder token, so a forged one proves nothing (give a real token to check that forged ones are refused)'
        : `every selected operation ${[...new Set(config.operations.map((operation) => notApplicable(check, operation)))].filter(Boolean).join(' or ') || 'was left out'}`;
    record(check, undefined, { status: 'skip', reason }, []);
  }
  return {
    results,
    startedAt,
    durationMs: performance.now() - start,
    deliveries: engine.sent,
    latencies,
    // Refusals (a target that went away) or the caller stop this engine.
    ...(engine.stopped ? { stopped: { reason: engine.stopped, unreachable: !requested, requested } } : {}),
    internalErrors,
  };
}
