/**
 * The fuzzer: fast-check properties over random cases (every mode, every selected event, lifecycle scenarios),
 * run in parallel lanes so that the receiver, not the fuzzer, sets the pace. Each lane runs fast-check in chunks of
 * runs, each chunk from its own seed; a failing chunk is shrunk by fast-check to the smallest case that still fails,
 * which is reported with its seed and path and saved as a replay file. The first MUST failure stops every lane.
 *
 * Hostile-but-valid input and broken bodies are SHOULD-level: a failure there is recorded (once per check and
 * event, unshrunk) and fuzzing goes on, unless `strict`, where it fails and shrinks like a MUST failure.
 *
 * Aborting `FuzzConfig.stop` stops sending at once (the deliveries in flight are cut off and count for nothing); a
 * shrink under way ends with the smallest failure found so far, which is saved as usual. Passes of checks marked
 * with `evidence` (the forgeries) are weighed at the end (suites/evidence.ts).
 */
import fc from 'fast-check';
import pLimit from 'p-limit';
import { EngineStopped, HttpEngine, unreachableReason, type Exchange, type HttpRequest } from '../engine/http.js';
import { Latencies, type LatencySummary } from '../engine/latencies.js';
import { deriveSeed, DeliveryGenerator, type Draft } from '../generators/deliveries.js';
import { isAcknowledged, type EndpointAuth, type SignatureSpec } from '../profiles/zoom.js';
import type { Redaction } from '../reports/redaction.js';
import type { WebhookEvent } from '../specs/catalog.js';
import type { Check, CheckResult, Observation, TraitOptions } from './check.js';
import { describeSignature, FUZZ_CHECKS, FUZZ_FORGERIES, judgeCase, type CaseClass, type FuzzCase } from './fuzz-cases.js';
import { countExchange, emptyTally, weighEvidence, type EvidenceTally } from './evidence.js';
import { describeDuration, is2xx, is4xx, outcome } from './outcome.js';
import { LIFECYCLE_CHECK, ScenarioFailure, type ScenarioReal, type SentRequest } from './lifecycle-scenario.js';
import { ObserverError, type Observer } from './observer.js';
import { replayRequest, writeReplayFile, type Expectation, type ReplayFile } from './replay-file.js';
import { LATE_RETRY_CHECK, LateRetryQueue, type SentDelivery } from './late-retries.js';
import { freshlySigned, fuzzInputArbitrary, prepareCase, prepareScenario, scenarioTwin, signedRequest, type FuzzInput, type Prepared, type PreparedCase, type PreparedScenario, type Signer } from './fuzz-inputs.js';
import { Preparer, type Round } from './fuzz-rounds.js';
import { stopReason, TargetUnreachable } from './runner.js';

export interface FuzzConfig {
  target: URL;
  secret: string;
  auth?: EndpointAuth;
  events: readonly WebhookEvent[];
  seed: number;
  /** Cases to run in all (default 1000 unless a duration is given). */
  runs?: number;
  durationMs?: number;
  concurrency: number;
  deadlineMs: number;
  observer?: Observer;
  strict: boolean;
  /** Replay `lane.round:fastCheckPath` of a previous fuzz run with the same seed and selection. */
  path?: string;
  /** Retry acknowledged deliveries this long after they were sent (`--retry-after`); the earliest are retried at the end anyway. */
  retryAfterMs?: number;
  insecure?: boolean;
  /** Where replay files go (`.conformance/failures`). */
  replayDir: string;
  redaction: Redaction;
  tool: { name: string; version: string };
  /** The command line that repeats one case: gets the lane.round:path. */
  reproduce: (check: Check, event: string | undefined, path: string) => string;
  /** Stops fuzzing when aborted (see the module comment); the outcome holds what ran. */
  stop?: AbortSignal;
}

export interface FuzzProgress {
  runs: number;
  deliveries: number;
  failures: number;
  elapsedMs: number;
}

export interface FuzzFinding {
  check: Check;
  event: string;
  reason: string;
  exchanges: Exchange[];
  /** What the observer reported, when that is the failure. */
  observed?: Observation;
  /** `lane.round:path` for `--path`, when shrunk. */
  path?: string;
  numShrinks?: number;
  replayFile: string;
  shrunk: boolean;
  /** Why a failure was not shrunk (default: it is SHOULD level). */
  notShrunk?: string;
}

export interface FuzzOutcome {
  runs: number;
  deliveries: number;
  /**
   * Deliveries (with `observer`) whose event and event_ts the receiver had already applied before this run sent them:
   * an earlier run with the same seed against the same receiver. Their counts were not judged.
   */
  appliedBefore: number;
  durationMs: number;
  /** The latency percentiles of the answered deliveries (kept as counts per tenth of a millisecond: a long run answers millions). */
  latencies: LatencySummary | null;
  /** Cases run per class (lifecycle scenarios as `lifecycle`). */
  classes: Record<string, number>;
  findings: FuzzFinding[];
  results: CheckResult[];
  /** Why fuzzing stopped early: the target went away (`unreachable`), or the caller asked for it (`requested`). */
  stopped?: { reason: string; unreachable: boolean; requested: boolean };
}



/** The forgery follow-up's digest length and digit (truncated to half the digest, its middle digit changed) and changed byte. */
const FOLLOW_UP_POSITION = 32;

/** Runs per fast-check chunk: small enough that a stop is noticed soon, large enough to keep fast-check's overhead low. */
const CHUNK = 100;
/** Passing exchanges kept per check as evidence (briefly: no bodies, no headers). */
const PASSING_EVIDENCE = 1000;

interface Passing {
  count: number;
  exchanges: Exchange[];
}
const REFUSALS_TO_STOP = 5;

interface LastFailure {
  check: Check;
  event: string;
  reason: string;
  exchanges: Exchange[];
  sent: { label: string; group: number; request: HttpRequest; signature: SignatureSpec; expect: Expectation }[];
  edges: ReplayFile['edges'];
  system: string | null;
  observe?: ReplayFile['observe'];
  observed?: Observation;
}

export async function runFuzz(config: FuzzConfig, onProgress: (progress: FuzzProgress) => void = () => {}): Promise<FuzzOutcome> {
  const problem = await unreachableReason(config.target, config.deadlineMs, config.insecure);
  if (problem) throw new TargetUnreachable(`cannot reach ${config.target.origin}: ${problem}`);
  const started = performance.now();
  const deadline = config.durationMs !== undefined ? Date.now() + config.durationMs : Infinity;
  let budget = config.runs ?? (config.durationMs !== undefined ? Infinity : 1000);
  const latencies = new Latencies();
  /** What became of the deliveries of each check (suites/evidence.ts), and how many valid ones were acknowledged. */
  const evidence = { tallies: new Map<string, EvidenceTally>(), validAcknowledged: 0 };
  const tallyOf = (check: Check) => {
    let tally = evidence.tallies.get(check.id);
    if (!tally) evidence.tallies.set(check.id, (tally = emptyTally()));
    return tally;
  };
  const engine = new HttpEngine({
    deadlineMs: config.deadlineMs,
    concurrency: config.concurrency,
    stopAfterRefusals: REFUSALS_TO_STOP,
    ...(config.insecure ? { insecure: true } : {}),
    onExchange(exchange) {
      if (exchange.response) latencies.add(exchange.latencyMs);
    },
  });
  const requestStop = () => engine.stop(stopReason(config.stop!), { abortInFlight: true });
  if (config.stop?.aborted) requestStop();
  config.stop?.addEventListener('abort', requestStop, { once: true });
  const generator = new DeliveryGenerator(config.seed);
  const input = fuzzInputArbitrary(generator, config.events);
  const signer: Signer = { url: config.target.href, secret: config.secret, ...(config.auth ? { auth: config.auth } : {}) };

  const classes: Record<string, number> = {};
  const findings: FuzzFinding[] = [];
  const late = new LateRetryQueue(config.retryAfterMs);
  const shouldSeen = new Set<string>();
  const shrunkChecks = new Set<string>();
  let occurrences = 0;
  let runs = 0;
  /** See FuzzOutcome.appliedBefore. */
  let appliedBefore = 0;
  /** How many times the receiver had applied the event and event_ts before this run sent it (0 without an observer). */
  const countBefore = async (event: string, eventTs: number | undefined): Promise<number> => {
    if (!config.observer || eventTs === undefined) return 0;
    const count = await config.observer.count(event, eventTs);
    if (count > 0) appliedBefore++;
    return count;
  };
  let mustFailure = false;
  const lastFailure = new Map<number, LastFailure>();
  const progress = () => onProgress({ runs, deliveries: engine.sent, failures: findings.length, elapsedMs: performance.now() - started });
  const ticker = setInterval(progress, 500);

  const sign = (body: Buffer, signature: SignatureSpec, label: string, traits: TraitOptions = {}): HttpRequest => signedRequest(signer, body, signature, label, traits);
  /** Passing exchanges kept (briefly) per check, as the evidence the diagnosis compares failures with. */
  const passed = new Map<string, Passing>();
  /** Counts one passing case of the check and keeps its exchanges (while there is room). */
  const keepPassing = (check: Check, exchanges: readonly Exchange[]) => {
    const entry = passed.get(check.id) ?? { count: 0, exchanges: [] };
    entry.count++;
    for (const exchange of exchanges) if (entry.exchanges.length < PASSING_EVIDENCE) entry.exchanges.push(briefExchange(exchange));
    passed.set(check.id, entry);
  };

  const expectationOf = (kind: CaseClass): Expectation => (kind === 'forged' ? 'rejected' : kind === 'invalid' ? 'no-server-error' : 'acknowledged');

  /** One case: true when it passes (or fails only at SHOULD level outside strict mode). */
  const runCase = async (lane: number, prepared: PreparedCase): Promise<boolean> => {
    const { check, signature, eventTs, request } = prepared;
    // A forgery's event and event_ts applied before it was sent (an earlier run with the same seed): not judged by the observer.
    const observeForgery = prepared.class === 'forged' && (await countBefore(prepared.event.name, eventTs)) === 0;
    const exchange = await engine.send(request);
    countExchange(tallyOf(check), exchange);
    if (signature.kind === 'valid' && isAcknowledged(exchange.response?.status)) evidence.validAcknowledged++;
    let verdict = judgeCase(prepared, exchange);
    if (verdict.status === 'pass' && observeForgery && config.observer && eventTs !== undefined) {
      // A rejected forgery must also not have been applied (the observer shows what the status cannot).
      const count = await config.observer.count(prepared.event.name, eventTs);
      if (count > 0) {
        verdict = { status: 'fail', reason: `a forgery (${describeSignature(signature)}) was rejected with ${outcome(exchange)} but applied ${count} time${count === 1 ? '' : 's'}`, observed: { applied: count } };
      }
    }
    if (verdict.status === 'pass') {
      keepPassing(check, [exchange]);
      if (signature.kind === 'valid' && (prepared.class === 'valid' || prepared.class === 'edge-zoom') && !config.path) {
        late.record({ event: prepared.event.name, system: prepared.event.system, eventTs, body: prepared.body, sentAt: exchange.startedAt });
      }
      return true;
    }
    const failure: LastFailure = {
      check,
      event: prepared.event.name,
      reason: verdict.reason ?? 'failed',
      exchanges: [exchange],
      sent: [{ label: prepared.label, group: 0, request, signature, expect: expectationOf(prepared.class) }],
      edges: prepared.edges,
      system: prepared.event.system,
      ...(verdict.observed ? { observed: verdict.observed } : {}),
    };
    if (check.level === 'SHOULD' && !config.strict) {
      const key = `${check.id}\u0000${failure.event}`;
      if (!shouldSeen.has(key)) {
        shouldSeen.add(key);
        findings.push(await saveFinding(failure, undefined));
      }
      return true;
    }
    lastFailure.set(lane, failure);
    return false;
  };

  /**
   * Runs a prepared scenario. Its deliveries are fresh (fresh event_ts) on every run of a scenario, shrinking included:
   * what the receiver applied in an earlier run must not count in this one, so the shrunk scenario fails on its own.
   * A fresh occurrence too (new meeting uuid / session id): what the receiver remembers of one is not the next's.
   */
  const runScenario = async (lane: number, prepared: PreparedScenario): Promise<boolean> => {
    const { value: scenario, lifecycle, twins } = prepared;
    let group = 0;
    const log: SentRequest[] = [];
    const sent: { step: number; twin: boolean }[] = [];
    /** The step's delivery (or its twin's), whether that body was sent before, and whether a later step was. */
    const scenarioTraits = (body: Buffer): TraitOptions => {
      let step = lifecycle.deliveries.findIndex((delivery) => delivery.body.equals(body));
      const twin = step < 0;
      if (twin) step = [...twins].find(([, delivery]) => delivery.body.equals(body))?.[0] ?? -1;
      const delivery = twin ? twins.get(step) : lifecycle.deliveries[step];
      const traits: TraitOptions = {
        ...(delivery ? { delivery } : {}),
        duplicate: sent.some((entry) => entry.step === step && entry.twin === twin),
        outOfOrder: sent.some((entry) => entry.step > step),
      };
      sent.push({ step, twin });
      return traits;
    };
    const real: ScenarioReal = {
      lifecycle,
      twin: (index) => scenarioTwin(generator, config.events, prepared, index),
      observer: config.observer,
      appliedBefore: countBefore,
      log,
      nextGroup: () => group++,
      send: async (body, label) => {
        const request = sign(body, { kind: 'valid' }, label, scenarioTraits(body));
        const exchange = await engine.send(request);
        if (isAcknowledged(exchange.response?.status)) evidence.validAcknowledged++;
        log.push({ label, group: group++, request, exchange });
        return exchange;
      },
      together: async (body, labels) => {
        const traits = scenarioTraits(body);
        // Copies released at the same instant: each is a copy of the others.
        const requests = labels.map((label) => sign(body, { kind: 'valid' }, label, { ...traits, duplicate: true, simultaneous: true }));
        const exchanges = await engine.releasedTogether(requests);
        evidence.validAcknowledged += exchanges.filter((exchange) => isAcknowledged(exchange.response?.status)).length;
        const at = group++;
        requests.forEach((request, index) => log.push({ label: labels[index]!, group: at, request, exchange: exchanges[index]! }));
        return exchanges;
      },
    };
    try {
      await fc.asyncModelRun(() => ({ model: { delivered: new Set<number>() }, real }), scenario.commands);
      keepPassing(LIFECYCLE_CHECK, log.map((entry) => entry.exchange));
      return true;
    } catch (error) {
      if (!(error instanceof ScenarioFailure)) throw error;
      const last = log[log.length - 1];
      const known = [...lifecycle.deliveries, ...twins.values()];
      const lastDelivery = last ? known.find((delivery) => delivery.body.equals(last.request.body!)) : undefined;
      // The bodies sent that share the last one's event and event_ts (a step and its twin): each applied once.
      const sharing = known.filter((delivery) => delivery.event === lastDelivery?.event && delivery.eventTs === lastDelivery?.eventTs);
      const expected = sharing.filter((delivery) => log.some((entry) => entry.request.body!.equals(delivery.body))).length;
      lastFailure.set(lane, {
        check: LIFECYCLE_CHECK,
        event: `lifecycle:${scenario.kind}`,
        reason: `${error.message} (sequence: ${log.map((entry) => entry.label).join('; ')})`,
        exchanges: log.map((entry) => entry.exchange),
        sent: log.map((entry) => ({ label: entry.label, group: entry.group, request: entry.request, signature: { kind: 'valid' }, expect: 'acknowledged' })),
        edges: [],
        system: lifecycle.deliveries[0]?.system ?? null,
        ...(config.observer && lastDelivery?.eventTs !== undefined ? { observe: { event: lastDelivery.event, eventTs: lastDelivery.eventTs, expected } } : {}),
        ...(error.observed ? { observed: error.observed } : {}),
      });
      return false;
    }
  };

  const saveFinding = async (
    failure: LastFailure,
    shrink: { seed: number; path: string; numRuns: number; numShrinks: number } | undefined,
    notShrunk?: string,
  ): Promise<FuzzFinding> => {
    const file: ReplayFile = {
      format: 'zoom-conformance/replay@1',
      tool: config.tool.name,
      version: config.tool.version,
      createdAt: new Date().toISOString(),
      target: config.target.href,
      check: { id: failure.check.id, level: failure.check.level, title: failure.check.title },
      reason: failure.reason,
      event: failure.event,
      system: failure.system,
      fuzz: shrink ?? { seed: config.seed, path: '', numRuns: 0, numShrinks: 0 },
      edges: failure.edges,
      deadlineMs: config.deadlineMs,
      requests: failure.sent.map((sent) => replayRequest(sent, config.redaction)),
      ...(failure.observe ? { observe: failure.observe } : {}),
    };
    const replayFile = await writeReplayFile(config.replayDir, file);
    return {
      check: failure.check,
      event: failure.event,
      reason: failure.reason,
      exchanges: failure.exchanges,
      ...(failure.observed ? { observed: failure.observed } : {}),
      ...(shrink ? { path: shrink.path, numShrinks: shrink.numShrinks } : {}),
      replayFile,
      shrunk: shrink !== undefined,
      ...(notShrunk ? { notShrunk } : {}),
    };
  };

  /** Sends a delivery acknowledged earlier again (fresh timestamp and signature); a MUST failure when it is refused or applied again. */
  const retryLate = async (sent: SentDelivery): Promise<void> => {
    const age = Date.now() - sent.sentAt;
    const original = sign(sent.body, { kind: 'valid' }, `${sent.event}, first acknowledged ${describeDuration(age)} before its late retry`, { event: sent.event });
    const label = `late retry of ${sent.event}, ${describeDuration(age)} after it was first acknowledged`;
    // Applied more than once before the retry: the receiver had applied another body with the same event and event_ts
    // before this run (an earlier run with the same seed), and the count says nothing of the retry.
    const before = config.observer && sent.eventTs !== undefined ? (await config.observer.settledCount(sent.event, sent.eventTs, 1)).count : 0;
    if (before > 1) appliedBefore++;
    const request = sign(sent.body, { kind: 'valid' }, label, { event: sent.event, duplicate: true, retryAgeMs: age });
    const exchange = await engine.send(request);
    classes['late-retry'] = (classes['late-retry'] ?? 0) + 1;
    countExchange(tallyOf(LATE_RETRY_CHECK), exchange);
    if (isAcknowledged(exchange.response?.status)) evidence.validAcknowledged++;
    let reason: string | undefined;
    let observed: Observation | undefined;
    if (!isAcknowledged(exchange.response?.status)) reason = `${label}: ${outcome(exchange)}; a retry must be acknowledged like the first delivery`;
    else if (config.observer && sent.eventTs !== undefined && before <= 1) {
      const { count } = await config.observer.settledCount(sent.event, sent.eventTs, 1);
      if (count > 1) {
        observed = { applied: count, expected: 1 };
        reason = `applied ${count} times: retried ${describeDuration(age)} after it was first acknowledged, the delivery was applied again (the receiver forgot it; Zoom's last retry comes about 85 minutes after the first attempt)`;
      }
    }
    if (reason === undefined) {
      keepPassing(LATE_RETRY_CHECK, [exchange]);
      return;
    }
    mustFailure = true;
    findings.push(
      await saveFinding(
        {
          check: LATE_RETRY_CHECK,
          event: sent.event,
          reason,
          exchanges: [exchange],
          sent: [
            { label: original.label!, group: 0, request: original, signature: { kind: 'valid' }, expect: 'acknowledged' },
            { label, group: 1, request, signature: { kind: 'valid' }, expect: 'acknowledged' },
          ],
          edges: [],
          system: sent.system,
          ...(config.observer && sent.eventTs !== undefined ? { observe: { event: sent.event, eventTs: sent.eventTs, expected: 1 } } : {}),
          ...(observed ? { observed } : {}),
        },
        undefined,
        `time-dependent, a replay sends both at once instead of ${describeDuration(age)} apart`,
      ),
    );
  };

  /** Shrinking stops after this long (a slow receiver makes every failing candidate cost a deadline). */
  const shrinkBudgetMs = Math.max(10_000, 10 * config.deadlineMs);
  /**
   * Ends the fast-check run at once (fast-check's interrupting precondition failure): returning "passed" instead
   * would still generate every remaining case of the chunk, seconds of CPU after a stop. Interrupted while
   * shrinking, the smallest failure found so far stands.
   */
  function interrupt(): never {
    throw new fc.PreconditionFailure(true);
  }
  /** Counts one input run (shrink candidates included). */
  const count = (value: FuzzInput | Prepared) => {
    const kind = value.kind === 'scenario' ? 'lifecycle' : 'class' in value ? value.class : value.value.class;
    classes[kind] = (classes[kind] ?? 0) + 1;
    runs++;
  };
  /**
   * Runs one prepared input: true when it passes. Undefined when it neither passed nor failed: the run was stopped
   * (a case cut off, or never sent), or the observer broke its contract (a configuration problem, not a finding
   * about the receiver: it stops the run).
   */
  const execute = async (lane: number, prepared: Prepared): Promise<boolean | undefined> => {
    try {
      return prepared.kind === 'case' ? await runCase(lane, prepared) : await runScenario(lane, prepared);
    } catch (error) {
      if (error instanceof EngineStopped) return undefined;
      if (!(error instanceof ObserverError)) throw error;
      engine.stop(`observer: ${error.message}`);
      return undefined;
    }
  };
  const prepare = (value: FuzzInput): Prepared =>
    value.kind === 'case' ? { kind: 'case', ...prepareCase(generator, signer, value.value) } : { kind: 'scenario', ...prepareScenario(generator, config.events, value.value, ++occurrences) };

  /**
   * The property fast-check replays and shrinks a failing input with (and runs a `--path` with). `shrinking`: the
   * input at the path failed already, its failure is recorded, and the shrink has its budget from now on; a case
   * is then not sent again (the first call is that case), a lifecycle is run again (fast-check shrinks only the
   * commands a run executed).
   */
  const property = (lane: number, shrinking?: { known: boolean }) => {
    let shrinkUntil = shrinking ? Date.now() + shrinkBudgetMs : 0;
    let known = shrinking?.known === true;
    return fc.asyncProperty(input, async (value) => {
      if (known) {
        known = false;
        return false;
      }
      if (engine.stopped) interrupt();
      if (shrinkUntil > 0) {
        // Shrinking: once the budget is spent, the shrink ends with the smallest failure so far.
        if (Date.now() > shrinkUntil) interrupt();
      } else if (mustFailure || Date.now() > deadline) {
        // Another lane found a failure (or time is up): this lane stops sending.
        interrupt();
      }
      count(value);
      const ok = await execute(lane, prepare(value));
      if (ok === undefined) interrupt();
      if (!ok && shrinkUntil === 0) {
        shrinkUntil = Date.now() + shrinkBudgetMs;
        mustFailure = true;
      }
      return ok;
    });
  };

  const parsedPath = config.path ? parsePath(config.path) : undefined;
  const laneSeed = (lane: number, round: number) => deriveSeed(config.seed, 'fuzz-lane', String(lane), String(round));
  /** Prepares the lanes' inputs ahead of their turn (suites/fuzz-rounds.ts). */
  const preparer = new Preparer();

  /**
   * Runs a lane's inputs of one round in order (the values fast-check draws for the round's seed), each prepared
   * before its turn (suites/fuzz-rounds.ts): when an answer comes, the next request is ready to go. Gives the index
   * of the first input that failed, or -1 (all passed, or the lane stopped).
   */
  const runRound = async (lane: number, round: Round): Promise<{ at: number; value?: Prepared }> => {
    const halted = () => engine.stopped !== undefined || mustFailure || Date.now() > deadline;
    for (let index = 0; index < round.size; index++) {
      if (halted()) return { at: -1 };
      const taken = await round.take(index);
      if (halted()) return { at: -1 };
      const current: Prepared = taken.kind === 'case' ? freshlySigned(signer, taken) : taken;
      count(current);
      const running = execute(lane, current);
      round.whileInFlight(index);
      const ok = await running;
      if (ok === undefined) return { at: -1 };
      if (!ok) {
        mustFailure = true;
        return { at: index, value: current };
      }
    }
    return { at: -1 };
  };

  /** Saves a lane's failure, shrunk by fast-check from the failing input of the round (replayed at its path). */
  const shrinkAndSave = async (lane: number, round: number, seed: number, numRuns: number, at: number, value: Prepared) => {
    const failure = lastFailure.get(lane);
    if (!failure) throw new Error(`fuzz lane ${lane}: an input failed without a recorded failure`);
    // Lanes that failed at the same moment found the same kind of failure: one shrunk case per check is enough.
    if (shrunkChecks.has(failure.check.id)) return;
    shrunkChecks.add(failure.check.id);
    const details = await fc.check(property(lane, { known: value.kind === 'case' }), { seed, numRuns, path: String(at) });
    if (details.failed && details.counterexample !== null) {
      // A stop asked for while shrinking ends the shrink: the smallest failure so far is saved. Any other stop
      // (the target went away) leaves nothing trustworthy to save.
      if (details.errorInstance instanceof EngineStopped || (engine.stopped && !config.stop?.aborted)) return;
      const smallest = lastFailure.get(lane)!;
      const path = `${lane}.${round}:${details.counterexamplePath ?? ''}`;
      findings.push(await saveFinding(smallest, { seed: config.seed, path, numRuns: at + 1, numShrinks: details.numShrinks }));
      return;
    }
    if (engine.stopped && !config.stop?.aborted) return;
    // A lifecycle that passed when run again (or a stop before it failed again): the first failure stands, unshrunk.
    findings.push(await saveFinding(failure, { seed: config.seed, path: `${lane}.${round}:${at}`, numRuns: at + 1, numShrinks: 0 }));
  };

  const lane = async (index: number) => {
    for (let round = parsedPath?.round ?? 0; ; round++) {
      if (mustFailure || engine.stopped || Date.now() > deadline || budget <= 0) return;
      const numRuns = parsedPath ? 1 : Math.min(CHUNK, budget);
      budget -= numRuns;
      const seed = laneSeed(index, round);
      if (parsedPath) {
        const details = await fc.check(property(index), { seed, numRuns, path: parsedPath.path });
        // fast-check reports a run interrupted before any case passed as failed, without a counterexample: no failure.
        if (details.failed && details.counterexample !== null) {
          if (details.errorInstance instanceof EngineStopped || (engine.stopped && !config.stop?.aborted)) return;
          const failure = lastFailure.get(index);
          if (!failure) throw details.errorInstance ?? new Error(`fuzz lane ${index}: a property failed without a recorded failure`);
          shrunkChecks.add(failure.check.id);
          const path = `${index}.${round}:${details.counterexamplePath ?? ''}`;
          findings.push(await saveFinding(failure, { seed: config.seed, path, numRuns: details.numRuns, numShrinks: details.numShrinks }));
        }
        return;
      }
      // The very values fast-check draws for this seed: a failure is replayed and shrunk by fast-check at its path.
      const opened = preparer.open(input, prepare, seed, numRuns);
      let failed: { at: number; value?: Prepared };
      try {
        failed = await runRound(index, opened);
      } finally {
        opened.close();
      }
      if (failed.value) {
        await shrinkAndSave(index, round, seed, numRuns, failed.at, failed.value);
        return;
      }
    }
  };

  /** Results of the follow-up that tells the cause of a failure apart (see followUp). */
  const followUps: CheckResult[] = [];
  /** Fresh valid drafts of the event, the same for a seed (a follow-up's deliveries). */
  const freshDrafts = (event: WebhookEvent, count: number, ...labels: string[]): Draft[] =>
    fc.sample(generator.draftArbitrary(event, 'valid'), { seed: deriveSeed(config.seed, ...labels), numRuns: count });
  /** What every result of a follow-up about the event holds. */
  const followUpBase = (check: Check, event: WebhookEvent) => ({ check, event: event.name, system: event.system, reproduce: config.reproduce(check, event.name, '') });
  /** Sends one forgery of a follow-up: what came back, and whether it was accepted. */
  const sendForgery = async (event: WebhookEvent, draft: Draft, forgery: NonNullable<FuzzCase['forgery']>): Promise<FollowUpExchange> => {
    const prepared = prepareCase(generator, signer, { event, class: 'forged', draft, forgery });
    const what = describeSignature(prepared.signature);
    const exchange = await engine.send({ ...prepared.request, label: `follow-up: a forgery (${what})` });
    return { exchange, what, failed: judgeCase(prepared, exchange).status === 'fail' };
  };

  /**
   * After a lifecycle failure whose only copies were released together and applied more than once: a fresh delivery
   * and a plain retry of it, one after the other. Applied twice, the receiver does not deduplicate at all; applied
   * once, its deduplication races. Either way the diagnosis then has the evidence to name the cause.
   */
  const followUp = async (): Promise<CheckResult | undefined> => {
    const racing = findings.find(
      (finding) =>
        finding.check === LIFECYCLE_CHECK &&
        finding.observed !== undefined &&
        finding.observed.applied > (finding.observed.expected ?? 1) &&
        !finding.exchanges.some((exchange) => exchange.request.traits?.duplicate && !exchange.request.traits.simultaneous),
    );
    const eventName = racing?.exchanges.at(-1)?.request.traits?.event;
    const event = config.events.find((candidate) => candidate.name === eventName);
    if (!racing || !event || !config.observer || engine.stopped || config.path) return undefined;
    const [draft] = freshDrafts(event, 1, 'follow-up', event.name);
    const delivery = generator.materialize(event, draft!);
    if (delivery.eventTs === undefined || (await countBefore(event.name, delivery.eventTs)) > 0) return undefined;
    const first = await engine.send(sign(delivery.body, { kind: 'valid' }, `follow-up: a fresh ${event.name}`, { delivery }));
    const retry = await engine.send(
      sign(delivery.body, { kind: 'valid' }, `follow-up: its retry, sent after the answer`, { delivery, duplicate: true, retryAgeMs: Date.now() - first.startedAt }),
    );
    if (!isAcknowledged(first.response?.status) || !isAcknowledged(retry.response?.status)) return undefined;
    const { count } = await config.observer.settledCount(event.name, delivery.eventTs, 1);
    const observed = { applied: count, expected: 1 };
    const base = { ...followUpBase(LIFECYCLE_CHECK, event), exchanges: [first, retry], observed };
    return count === 1
      ? { ...base, status: 'pass', reason: 'follow-up of the failure: a fresh delivery and its retry, one after the other, were applied once' }
      : { ...base, status: 'fail', reason: `follow-up of the failure: a fresh delivery and its retry, one after the other, were applied ${count} times` };
  };

  /**
   * After an accepted forgery: every kind of forgery once, on one fresh delivery of its event, one after the other.
   * Which kinds are accepted and which refused is the evidence the diagnosis tells the cause by (a prefix of the
   * signature accepted while wrong digests of full length are refused, or no verification at all). Without it the
   * cause would depend on what the other lanes happened to send, and have answered, before the failure stopped them.
   */
  const forgeryFollowUp = async (): Promise<CheckResult[]> => {
    const forged = FUZZ_CHECKS.forged;
    const acceptedForgery = findings.find((finding) => finding.check === forged && finding.exchanges.some(is2xx));
    const event = config.events.find((candidate) => candidate.name === acceptedForgery?.event);
    if (!acceptedForgery || !event || engine.stopped || config.path) return [];
    const [draft, other] = freshDrafts(event, 2, 'forgery-follow-up', event.name);
    const sent: FollowUpExchange[] = [];
    for (const kind of FUZZ_FORGERIES) sent.push(await sendForgery(event, draft!, { kind, n: FOLLOW_UP_POSITION, ...(kind === 'other-body' ? { other: other! } : {}) }));
    return followUpResults(followUpBase(forged, event), `follow-up of the failure, one forgery of each of the ${FUZZ_FORGERIES.length} kinds on one fresh ${event.name}`, sent, 'accepted', 'not accepted');
  };

  /**
   * After a correctly signed delivery that got no answer within the deadline, or a 4xx: fresh valid deliveries of its
   * event (two) and of two other events, sent at once; after a 4xx, first a forgery of the event signed with another
   * secret (how the receiver answers a wrong signature). Whether only that event is late or refused, or every event,
   * and whether refused like the forgery, is the evidence the diagnosis tells a slow event from a slow receiver, and a
   * wrong secret from a refusal of one delivery, by. A run with one lane would otherwise hold that one failure alone.
   */
  const unacknowledgedFollowUp = async (): Promise<CheckResult[]> => {
    const unacknowledged = findings
      .flatMap((finding) => finding.exchanges)
      .find((exchange) => exchange.request.traits?.signature === 'valid' && exchange.request.traits.event && (exchange.error?.kind === 'timeout' || is4xx(exchange)));
    const event = config.events.find((candidate) => candidate.name === unacknowledged?.request.traits?.event);
    if (!unacknowledged || !event || engine.stopped || config.path) return [];
    const out: CheckResult[] = [];
    if (is4xx(unacknowledged)) {
      const [draft] = freshDrafts(event, 1, 'refusal-follow-up', event.name);
      const forgery = await sendForgery(event, draft!, { kind: 'wrong-secret', n: 0 });
      const sent = [{ ...forgery, what: `${forgery.what}: ${outcome(forgery.exchange)}` }];
      out.push(...followUpResults(followUpBase(FUZZ_CHECKS.forged, event), `follow-up of the failure, a forgery of ${event.name}`, sent, 'accepted', 'not accepted'));
    }
    const others = config.events.filter((candidate) => candidate !== event);
    const picked = fc.sample(fc.shuffledSubarray(others, { minLength: Math.min(2, others.length), maxLength: Math.min(2, others.length) }), {
      seed: deriveSeed(config.seed, 'timeout-follow-up', event.name),
      numRuns: 1,
    })[0]!;
    const deliveries = [event, event, ...picked].map((target, index) => {
      const [draft] = freshDrafts(target, 1, 'timeout-follow-up', target.name, String(index));
      return { target, delivery: generator.materialize(target, draft!) };
    });
    // Sent at once within --concurrency: with one lane, one after the other.
    const exchanges = await Promise.all(deliveries.map(({ target, delivery }) => engine.send(sign(delivery.body, { kind: 'valid' }, `follow-up: a fresh ${target.name}`, { delivery }))));
    const sent = exchanges.map((exchange, index) => {
      const failed = !isAcknowledged(exchange.response?.status);
      return { exchange, what: `${deliveries[index]!.target.name}${failed ? `: ${outcome(exchange)}` : ''}`, failed };
    });
    const names = picked.map((other) => other.name).join(' and ');
    out.push(...followUpResults(followUpBase(FUZZ_CHECKS.valid, event), `follow-up of the failure, fresh valid deliveries: two of ${event.name}${names ? `, one each of ${names}` : ''}`, sent, 'not acknowledged', 'acknowledged'));
    return out;
  };

  let lanesDone = false;
  /** Sends the late retries that come due while the lanes run (`--retry-after`). */
  const lateLane = async () => {
    while (!lanesDone && !mustFailure && !engine.stopped) {
      const sent = late.due();
      if (sent) await retryLate(sent);
      else await new Promise((resolve) => setTimeout(resolve, Math.min(200, late.untilDue())));
    }
  };

  try {
    const lanes = parsedPath ? [parsedPath.lane] : Array.from({ length: config.concurrency }, (_, index) => index);
    // Late retries during the run only with --retry-after (the earliest deliveries are retried at its end either way).
    const retries = config.retryAfterMs !== undefined ? lateLane() : Promise.resolve();
    await Promise.all(lanes.map((index) => lane(index)));
    lanesDone = true;
    await retries;
    const extra = await followUp();
    if (extra) followUps.push(extra);
    followUps.push(...(await forgeryFollowUp()), ...(await unacknowledgedFollowUp()));
    // The run's earliest deliveries once more, as old as the run: a memory shorter than the run shows here.
    if (!mustFailure && !engine.stopped) {
      const limit = pLimit(config.concurrency);
      await Promise.all(late.takeEarliest().map((sent) => limit(() => retryLate(sent))));
    }
  } catch (error) {
    lanesDone = true;
    if (!(error instanceof EngineStopped)) throw error;
  } finally {
    clearInterval(ticker);
    config.stop?.removeEventListener('abort', requestStop);
    progress();
    await engine.close();
  }
  const durationMs = performance.now() - started;
  const stopped = engine.stopped;
  const requested = stopped !== undefined && config.stop?.aborted === true && stopped === stopReason(config.stop);
  return {
    runs,
    deliveries: engine.sent,
    appliedBefore,
    durationMs,
    latencies: latencies.summary(),
    classes,
    findings,
    results: [...results(config, findings, classes, { ...evidence, passed }, requested ? stopped : undefined), ...followUps],
    ...(stopped ? { stopped: { reason: stopped, unreachable: !requested, requested } } : {}),
  };
}

/** One delivery of a follow-up: what came back, what it was, and whether it failed the check. */
interface FollowUpExchange {
  exchange: Exchange;
  what: string;
  failed: boolean;
}

/**
 * A follow-up's results, as the lanes' are: the exchanges that failed in a failed result, the others in a passed one
 * (the evidence the failures are compared with).
 */
function followUpResults(base: Pick<CheckResult, 'check' | 'event' | 'system' | 'reproduce'>, sent: string, exchanges: FollowUpExchange[], failedWord: string, passedWord: string): CheckResult[] {
  const failed = exchanges.filter((entry) => entry.failed);
  const passed = exchanges.filter((entry) => !entry.failed);
  const list = (entries: FollowUpExchange[]) => entries.map((entry) => entry.what).join('; ');
  const out: CheckResult[] = [];
  if (failed.length > 0) out.push({ ...base, status: 'fail', reason: `${sent}: ${failed.length} ${failedWord} (${list(failed)})`, exchanges: failed.map((entry) => entry.exchange) });
  if (passed.length > 0) out.push({ ...base, status: 'pass', reason: `${sent}: ${passed.length} ${passedWord} (${list(passed)})`, exchanges: passed.map((entry) => entry.exchange) });
  return out;
}

/** `lane.round:fastCheckPath` */
export function parsePath(text: string): { lane: number; round: number; path: string } {
  const match = /^(\d+)\.(\d+):([\d:]*)$/.exec(text);
  if (!match) throw new Error(`a fuzz path looks like 3.12:4:0:1 (lane.round:fast-check path), got "${text}"`);
  return { lane: Number(match[1]), round: Number(match[2]), path: match[3]! };
}

/** What a passing exchange keeps as evidence: what was sent and what came back, without the bodies. */
function briefExchange(exchange: Exchange): Exchange {
  const { body: _body, ...request } = exchange.request;
  return {
    ...exchange,
    request: { ...request, headers: {} },
    ...(exchange.response ? { response: { ...exchange.response, headers: {}, body: Buffer.alloc(0) } } : {}),
  };
}

/**
 * One result per finding, and for each check that ran cases and found nothing a pass (weighed by the evidence rule),
 * holding (briefly) the first passing exchanges of its cases: the evidence the diagnosis compares a failure with. A
 * check that failed on some cases gets a pass for the others too. When the run was stopped on request, each check
 * that ran no case is skipped as not reached.
 */
function results(
  config: FuzzConfig,
  findings: FuzzFinding[],
  classes: Record<string, number>,
  evidence: { tallies: Map<string, EvidenceTally>; validAcknowledged: number; passed: ReadonlyMap<string, Passing> },
  stopped: string | undefined,
): CheckResult[] {
  const systemOf = new Map(config.events.map((event) => [event.name, event.system]));
  const out: CheckResult[] = findings.map((finding) => ({
    check: finding.check,
    event: finding.event,
    ...(systemOf.has(finding.event) ? { system: systemOf.get(finding.event)! } : {}),
    status: 'fail',
    reason: `${finding.reason}${finding.shrunk ? ` (shrunk ${finding.numShrinks} times; fast-check path ${finding.path})` : ` (not shrunk: ${finding.notShrunk ?? 'SHOULD level'})`}; replay: conformance replay ${finding.replayFile}`,
    exchanges: finding.exchanges,
    ...(finding.observed ? { observed: finding.observed } : {}),
    reproduce: finding.path ? config.reproduce(finding.check, finding.event, finding.path) : `npx conformance replay ${finding.replayFile}`,
  }));
  const failed = new Set(findings.map((finding) => finding.check.id));
  const ran: [Check, number][] = [
    ...(Object.entries(FUZZ_CHECKS) as [CaseClass, Check][]).map(([kind, check]): [Check, number] => [check, classes[kind] ?? 0]),
    [LIFECYCLE_CHECK, classes.lifecycle ?? 0],
    [LATE_RETRY_CHECK, classes['late-retry'] ?? 0],
  ];
  const byCheck = new Map<string, { check: Check; count: number }>();
  for (const [check, count] of ran) {
    const entry = byCheck.get(check.id) ?? { check, count: 0 };
    entry.count += count;
    byCheck.set(check.id, entry);
  }
  for (const { check, count } of byCheck.values()) {
    const reproduce = config.reproduce(check, undefined, '');
    const passing = evidence.passed.get(check.id);
    const weighed = (reason: string): CheckResult => {
      const verdict = weighEvidence(check, { status: 'pass', reason }, evidence.tallies.get(check.id) ?? emptyTally(), evidence.validAcknowledged);
      return { check, status: verdict.status, ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}), exchanges: passing?.exchanges ?? [], reproduce };
    };
    if (count > 0 && !failed.has(check.id)) out.push(weighed(`${count} random case${count === 1 ? '' : 's'}, none failed`));
    // A check that failed on some cases passed on the others: those are the evidence a failure is compared with.
    else if (passing && passing.count > 0) out.push(weighed(`${passing.count} other random case${passing.count === 1 ? '' : 's'} passed`));
    else if (count === 0 && stopped !== undefined) {
      out.push({ check, status: 'skip', reason: `not reached: ${stopped}`, exchanges: [], reproduce });
    }
  }
  return out;
}
