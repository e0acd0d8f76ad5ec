/**
 * Runs the selected suites against a target: plans one task per probe (per event, or once; early probes first),
 * runs the tasks through the engine with bounded concurrency (with the work they scheduled a little later, such as
 * the retry of an abandoned attempt), then the exclusive probes alone (bursts), then the deferred work (late
 * retries, observer queries). Emits every result as it is reached; never formats output.
 *
 * The run stops early, and the checks it did not reach are skipped with the reason, when the target stops
 * accepting connections (refused several times in a row: exit code 2 territory), stops answering (many
 * deliveries in a row without an answer within the deadline), or when the caller asks it to (`RunConfig.stop`, an
 * AbortSignal: the command line aborts it on SIGINT or SIGTERM). A requested stop cuts off the deliveries in flight;
 * what ran is returned as usual. The runner installs no process-wide handler of its own.
 *
 * Passes of checks marked with `evidence` are weighed once the run is over (suites/evidence.ts): a pass that rests
 * on deliveries the target dropped stands only if the target acknowledged valid deliveries in the same run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import pLimit from 'p-limit';
import { EngineStopped, HttpEngine, unreachableReason, type Exchange, type HttpRequest } from '../engine/http.js';
import { deriveSeed, DeliveryGenerator, draftTraits, type Delivery, type Draft, type Mode } from '../generators/deliveries.js';
import { baseHeaders, challengeToken, isAcknowledged, nowSeconds, signedHeaders, type EndpointAuth } from '../profiles/zoom.js';
import type { WebhookEvent } from '../specs/catalog.js';
import type { Check, CheckResult, Probe, ProbeContext, SampleOptions, SuiteId, Verdict } from './check.js';
import { awaitsRunEvidence, tallyOf, weighEvidence } from './evidence.js';
import type { Observer } from './observer.js';
import { SUITES } from './index.js';
import { requestTraits } from './request-traits.js';

export interface RunConfig {
  target: URL;
  secret: string;
  events: readonly WebhookEvent[];
  suites: readonly SuiteId[];
  /** Which checks run (default: all of the selected suites). */
  checkFilter?: (check: Check) => boolean;
  examples: number;
  seed: number;
  deadlineMs: number;
  concurrency: number;
  burst: number;
  /** Copies of a fresh delivery released at the same instant (default 2). */
  copies?: number;
  /** The earliest a late retry follows its original, in milliseconds (default DEFAULT_RETRY_AFTER_MS). */
  retryAfterMs?: number;
  observer?: Observer;
  auth?: EndpointAuth;
  insecure?: boolean;
  maxResponseBytes?: number;
  /** The command line that repeats one check on one event. */
  reproduce: (check: Check, event: string | undefined) => string;
  /** One shard of a run (`--shard`): per-event probes on these events only; run-level probes only when `runLevel`. */
  shard?: { events: readonly WebhookEvent[]; runLevel: boolean };
  /**
   * Stops the run when aborted: nothing more is sent, the deliveries in flight are cut off, the checks not reached
   * are skipped with the abort reason (`stopReason`), and the outcome holds what ran.
   */
  stop?: AbortSignal;
}

/** The words of an abort reason: a string as it is, an Error's message. */
export function stopReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return 'stopped';
}

export interface RunProgress {
  tasksDone: number;
  tasksTotal: number;
  deliveries: number;
  failures: number;
  phase: 'deliveries' | 'exclusive' | 'observer';
}

export interface RunListener {
  onStart?(plan: { tasks: number; checks: readonly Check[] }): void;
  onProgress?(progress: RunProgress): void;
  onResult?(result: CheckResult): void;
}

export interface RunOutcome {
  results: CheckResult[];
  startedAt: Date;
  durationMs: number;
  deliveries: number;
  bytesSent: number;
  /** Milliseconds spent generating deliveries (synchronous work inside the run's wall time). */
  generationMs: number;
  /** Latencies (ms to the response headers) of every answered delivery. */
  latencies: number[];
  /**
   * Why the run stopped early, if it did: the target went away (`unreachable`), stopped answering, or the caller
   * asked for it (`requested`, through `RunConfig.stop`).
   */
  stopped?: { reason: string; unreachable: boolean; requested: boolean };
  /** Probe failures that are bugs in this tool (reported, never silently passed). */
  internalErrors: string[];
}

/** The target does not accept connections: nothing was sent. */
export class TargetUnreachable extends Error {
  override name = 'TargetUnreachable';
}

/** Copies of a fresh delivery released together, unless `copies` says otherwise. */
export const DEFAULT_COPIES = 2;
/** The earliest a late retry follows its original, unless `retryAfterMs` says otherwise. */
export const DEFAULT_RETRY_AFTER_MS = 2000;

/** Refusals in a row that mean the target went away. */
const REFUSALS_TO_STOP = 5;

interface Task {
  probe: Probe;
  event: WebhookEvent | undefined;
}

export function selectedChecks(config: Pick<RunConfig, 'suites' | 'checkFilter'>): Check[] {
  return SUITES.filter((suite) => config.suites.includes(suite.id))
    .flatMap((suite) => suite.checks)
    .filter((check) => config.checkFilter?.(check) ?? true);
}

export async function runSuites(config: RunConfig, listener: RunListener = {}): Promise<RunOutcome> {
  const problem = await unreachableReason(config.target, config.deadlineMs, config.insecure);
  if (problem) throw new TargetUnreachable(`cannot reach ${config.target.origin}: ${problem}`);

  const startedAt = new Date();
  const start = performance.now();
  const checks = selectedChecks(config);
  const wanted = new Set(checks.map((check) => check.id));
  const probes = SUITES.filter((suite) => config.suites.includes(suite.id))
    .flatMap((suite) => suite.probes)
    .filter((probe) => probe.checks.some((check) => wanted.has(check.id)));
  const tasks: Task[] = [];
  const exclusive: Task[] = [];
  // Early probes first: their deliveries are the oldest of the run when their late retries go out.
  for (const probe of [...probes.filter((probe) => probe.early), ...probes.filter((probe) => !probe.early)]) {
    const list = probe.exclusive ? exclusive : tasks;
    if (probe.scope === 'run') {
      if (config.shard?.runLevel ?? true) list.push({ probe, event: undefined });
    } else for (const event of config.shard?.events ?? config.events) list.push({ probe, event });
  }

  const results: CheckResult[] = [];
  const latencies: number[] = [];
  const internalErrors: string[] = [];
  const later: (() => Promise<void>)[] = [];
  /** Work scheduled by `after`, running alongside the tasks; awaited before the exclusive probes. */
  const delayed: Promise<void>[] = [];
  /** Requests of valid deliveries (correctly signed, fresh, POST), and how many of them the target acknowledged. */
  const validRequests = new WeakSet<HttpRequest>();
  let validAcknowledged = 0;
  // The engine stops itself when the target refuses connections (unreachable); the runner adds the silent target.
  let silentStop: string | undefined;
  let silent = 0;
  const silentToStop = Math.max(20, 2 * config.concurrency);
  const engine = new HttpEngine({
    deadlineMs: config.deadlineMs,
    concurrency: config.concurrency,
    stopAfterRefusals: REFUSALS_TO_STOP,
    ...(config.maxResponseBytes ? { maxResponseBytes: config.maxResponseBytes } : {}),
    ...(config.insecure ? { insecure: true } : {}),
    onExchange(exchange) {
      if (exchange.response) latencies.push(exchange.latencyMs);
      if (validRequests.has(exchange.request) && isAcknowledged(exchange.response?.status)) validAcknowledged++;
      silent = exchange.error?.kind === 'timeout' ? silent + 1 : 0;
      if (silent >= silentToStop && !engine.stopped) {
        silentStop = `the target stopped answering (${silent} deliveries in a row got no answer within ${config.deadlineMs} ms)`;
        engine.stop(silentStop);
      }
    },
  });
  const generator = new DeliveryGenerator(config.seed);
  const timing = { generationMs: 0 };
  let failures = 0;
  let tasksDone = 0;
  const tasksTotal = tasks.length + exclusive.length;
  let phase: RunProgress['phase'] = 'deliveries';
  const progress = () => listener.onProgress?.({ tasksDone, tasksTotal, deliveries: engine.sent, failures, phase });

  const systemOf = new Map(config.events.map((event) => [event.name, event.system]));
  /** Passes that rest on dropped deliveries: settled once the run is over (suites/evidence.ts). */
  const awaitingEvidence: CheckResult[] = [];
  const emit = (result: CheckResult) => {
    results.push(result);
    if (result.status === 'fail') failures++;
    listener.onResult?.(result);
  };
  const record = (result: CheckResult) => {
    const system = result.event !== undefined ? systemOf.get(result.event) : undefined;
    if (system !== undefined) result.system = system;
    const tally = tallyOf(result.exchanges);
    if (awaitsRunEvidence(result.check, result.status, tally)) awaitingEvidence.push(result);
    else emit(settle(result, validAcknowledged));
  };
  const settle = (result: CheckResult, acknowledged: number): CheckResult => {
    const verdict = weighEvidence(result.check, result, tallyOf(result.exchanges), acknowledged);
    if (verdict === result) return result;
    const { reason: _reason, ...rest } = result;
    return { ...rest, status: verdict.status, ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}) };
  };
  const requestStop = () => engine.stop(stopReason(config.stop!), { abortInFlight: true });
  if (config.stop?.aborted) requestStop();
  config.stop?.addEventListener('abort', requestStop, { once: true });

  /** Missing results of tasks with observer work still to do: decided once that work is done. */
  const deferred: (() => void)[] = [];

  const runTask = async (task: Task) => {
    const recorded = new Set<string>();
    const keyOf = (check: Check, event: string | undefined) => `${check.id}\u0000${task.probe.scope === 'event' ? event : ''}`;
    let pending = 0;
    // Deferred work that sends (retries) meets a stopped engine as the probe itself would: what it did not reach is skipped.
    const guarded = (work: () => Promise<void>) => async () => {
      try {
        await work();
      } catch (error) {
        if (!(error instanceof EngineStopped)) throw error;
        skipReason ??= `not reached: ${error.reason}`;
      }
    };
    const context = createContext(
      config,
      engine,
      generator,
      timing,
      task,
      wanted,
      {
        later(work) {
          pending++;
          later.push(guarded(work));
        },
        after(delayMs, work) {
          pending++;
          delayed.push(
            pause(delayMs, config.stop)
              .then(guarded(work))
              .catch((error: unknown) => {
                internalErrors.push(`probe ${task.probe.id}${task.event ? ` on ${task.event.name}` : ''} (delayed work): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
              }),
          );
        },
      },
      validRequests,
      (check, event, verdict, exchanges) => {
        recorded.add(keyOf(check, event));
        record({
          check,
          ...(event !== undefined ? { event } : {}),
          status: verdict.status,
          ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}),
          exchanges: verdict.exchanges ?? exchanges,
          ...(verdict.observed ? { observed: verdict.observed } : {}),
          reproduce: config.reproduce(check, event),
        });
      },
    );
    let skipReason: string | undefined;
    try {
      // Once stopped, what is left is skipped without building its deliveries.
      if (engine.stopped) throw new EngineStopped(engine.stopped);
      await task.probe.run(context, task.event);
    } catch (error) {
      if (error instanceof EngineStopped) skipReason = `not reached: ${error.reason}`;
      else {
        const message = `probe ${task.probe.id}${task.event ? ` on ${task.event.name}` : ''}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
        internalErrors.push(message);
        skipReason = `internal error in conformance (${error instanceof Error ? error.message : String(error)})`;
      }
    }
    // Every selected check the probe feeds gets a result: what the probe did not reach is skipped with the reason.
    const fillGaps = () => {
      for (const check of task.probe.checks) {
        if (!wanted.has(check.id)) continue;
        const event = task.event?.name;
        const any = task.probe.scope === 'run' && [...recorded].some((entry) => entry.startsWith(`${check.id}\u0000`));
        if (recorded.has(keyOf(check, event)) || any) continue;
        record({
          check,
          ...(event !== undefined ? { event } : {}),
          status: 'skip',
          reason: skipReason ?? (engine.stopped ? `not reached: ${engine.stopped}` : 'the probe reached no verdict'),
          exchanges: [],
          reproduce: config.reproduce(check, event),
        });
      }
    };
    if (pending > 0) deferred.push(fillGaps);
    else fillGaps();
    tasksDone++;
    progress();
  };

  listener.onStart?.({ tasks: tasksTotal, checks });
  try {
    // Tasks in flight: enough to keep every connection busy, few enough to bound the memory of generated bodies.
    const limit = pLimit(Math.max(4, config.concurrency * 2));
    await Promise.all(tasks.map((task) => limit(() => runTask(task))));
    await Promise.all(delayed);
    phase = 'exclusive';
    for (const task of exclusive) await runTask(task);
    phase = 'observer';
    progress();
    const observerLimit = pLimit(8);
    await Promise.all(
      later.map((work) =>
        observerLimit(async () => {
          // A requested stop skips the observer queries too (their checks are skipped as not reached).
          if (config.stop?.aborted) return;
          try {
            await work();
          } catch (error) {
            internalErrors.push(`observer phase: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          }
        }),
      ),
    );
    for (const fillGaps of deferred) fillGaps();
  } finally {
    config.stop?.removeEventListener('abort', requestStop);
    await engine.close();
  }
  for (const result of awaitingEvidence) emit(settle(result, validAcknowledged));
  const requested = engine.stopped !== undefined && config.stop?.aborted === true && engine.stopped === stopReason(config.stop);
  return {
    results,
    startedAt,
    durationMs: performance.now() - start,
    deliveries: engine.sent,
    bytesSent: engine.bytesSent,
    generationMs: timing.generationMs,
    latencies,
    ...(engine.stopped ? { stopped: { reason: engine.stopped, unreachable: engine.stopped !== silentStop && !requested, requested } } : {}),
    internalErrors,
  };
}

/** Resolves after `ms`, or at once when the run is stopped from outside (what follows then meets a stopped engine). */
function pause(ms: number, stop: AbortSignal | undefined): Promise<void> {
  return sleep(ms, undefined, stop ? { signal: stop } : {}).catch(() => undefined);
}

function createContext(
  config: RunConfig,
  engine: HttpEngine,
  generator: DeliveryGenerator,
  timing: { generationMs: number },
  task: Task,
  wanted: Set<string>,
  defer: Pick<ProbeContext, 'later' | 'after'>,
  validRequests: WeakSet<HttpRequest>,
  record: (check: Check, event: string | undefined, verdict: Verdict, exchanges: Exchange[]) => void,
): ProbeContext {
  const url = config.target.href;
  return {
    seed: config.seed,
    deadlineMs: config.deadlineMs,
    examples: config.examples,
    burstSize: config.burst,
    copies: config.copies ?? DEFAULT_COPIES,
    retryAfterMs: config.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS,
    events: config.events,
    generator,
    observer: config.observer,
    wants: (check) => wanted.has(check.id),
    sample(event: WebhookEvent, mode: Mode, count: number, options: SampleOptions = {}): Delivery[] {
      const started = performance.now();
      const { salt = '', flavor = 'any', where, draw = count * 4 } = options;
      const seed = deriveSeed(config.seed, task.probe.id, salt, event.system, event.name, mode, flavor);
      const arbitrary = generator.draftArbitrary(event, mode, flavor);
      let drafts: Draft[];
      if (!where) drafts = fc.sample(arbitrary, { seed, numRuns: count });
      else {
        // Small batches, each from its own derived seed, until enough drafts qualify or `draw` were looked at.
        drafts = [];
        const batch = Math.max(4, count * 2);
        for (let drawn = 0, round = 0; drafts.length < count && drawn < draw; drawn += batch, round++) {
          for (const draft of fc.sample(arbitrary, { seed: deriveSeed(seed, String(round)), numRuns: batch })) {
            if (drafts.length < count && where(draftTraits(draft))) drafts.push(draft);
          }
        }
      }
      const deliveries = drafts.map((draft) => generator.materialize(event, draft));
      timing.generationMs += performance.now() - started;
      return deliveries;
    },
    signed(body, options = {}): HttpRequest {
      const spec = options.as ?? { kind: 'valid' };
      const headers = signedHeaders(spec, {
        secret: config.secret,
        body,
        ...(options.timestampOffset ? { timestamp: nowSeconds() + options.timestampOffset } : {}),
        ...(config.auth ? { auth: config.auth } : {}),
      });
      const signing = { signature: spec.kind, ...(options.timestampOffset ? { timestampOffset: options.timestampOffset } : {}) };
      const traits = requestTraits(body, signing, options);
      const request: HttpRequest = { method: options.method ?? 'POST', url, headers, body, ...(options.label ? { label: options.label } : {}), traits };
      // What Zoom itself would send: evidence that the target is up and acknowledges (suites/evidence.ts).
      if (spec.kind === 'valid' && !options.timestampOffset && request.method === 'POST') validRequests.add(request);
      return request;
    },
    unsigned(body, options = {}): HttpRequest {
      const traits = requestTraits(body, { signature: 'unsigned' }, options);
      return { method: options.method ?? 'POST', url, headers: baseHeaders(config.auth), ...(body ? { body } : {}), ...(options.label ? { label: options.label } : {}), traits };
    },
    challengeToken: (plainToken) => challengeToken(config.secret, plainToken),
    send: (request) => engine.send(request),
    together: (requests) => engine.together(requests),
    releasedTogether: (requests) => engine.releasedTogether(requests),
    abandon: (request) => engine.abandon(request),
    burst: (requests) => engine.burst(requests),
    judge(check, event, exchanges) {
      if (!wanted.has(check.id)) return;
      if (!check.judge) throw new Error(`internal: check ${check.id} has no judge`);
      record(check, event, check.judge(exchanges), exchanges);
    },
    record(check, event, verdict) {
      if (!wanted.has(check.id)) return;
      record(check, event, verdict, verdict.exchanges);
    },
    later: defer.later,
    after: defer.after,
    wait: (ms) => pause(ms, config.stop),
  };
}
