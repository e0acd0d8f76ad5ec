/**
 * The fuzzer: fast-check properties over random cases (every mode, every selected event, lifecycle scenarios),
 * run in parallel lanes so that the receiver, not the fuzzer, sets the pace. Each lane runs fast-check in chunks of
 * runs, each chunk from its own seed; a failing chunk is shrunk by fast-check to the smallest case that still fails,
 * which is reported with its seed and path and saved as a replay file. The first MUST failure stops every lane.
 *
 * Hostile-but-valid input and broken bodies are SHOULD-level: a failure there is recorded (once per check and
 * event, unshrunk) and fuzzing goes on, unless `strict`, where it fails and shrinks like a MUST failure.
 */
import fc from 'fast-check';
import { EngineStopped, HttpEngine, unreachableReason, type Exchange, type HttpRequest } from '../engine/http.js';
import { deriveSeed, DeliveryGenerator } from '../generators/deliveries.js';
import { signedHeaders, type EndpointAuth, type SignatureSpec } from '../profiles/zoom.js';
import type { Redaction } from '../reports/redaction.js';
import type { WebhookEvent } from '../specs/catalog.js';
import type { Check, CheckResult, Observation, TraitOptions } from './check.js';
import { buildCase, caseArbitrary, describeSignature, FUZZ_CHECKS, judgeCase, type BuiltCase, type CaseClass, type FuzzCase } from './fuzz-cases.js';
import { outcome } from './outcome.js';
import { buildLifecycle } from '../generators/lifecycles.js';
import { LIFECYCLE_CHECK, ScenarioFailure, scenarioArbitrary, type LifecycleScenario, type ScenarioReal, type SentRequest } from './lifecycle-scenario.js';
import { ObserverError, type Observer } from './observer.js';
import { replayRequest, writeReplayFile, type Expectation, type ReplayFile } from './replay-file.js';
import { requestTraits } from './request-traits.js';
import { TargetUnreachable } from './runner.js';

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
  insecure?: boolean;
  /** Where replay files go (`.conformance/failures`). */
  replayDir: string;
  redaction: Redaction;
  tool: { name: string; version: string };
  /** The command line that repeats one case: gets the lane.round:path. */
  reproduce: (check: Check, event: string | undefined, path: string) => string;
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
}

export interface FuzzOutcome {
  runs: number;
  deliveries: number;
  durationMs: number;
  latencies: number[];
  /** Cases run per class (lifecycle scenarios as `lifecycle`). */
  classes: Record<string, number>;
  findings: FuzzFinding[];
  results: CheckResult[];
  stopped?: { reason: string; unreachable: boolean };
}

type FuzzInput = { kind: 'case'; value: FuzzCase } | { kind: 'scenario'; value: LifecycleScenario };

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
  const latencies: number[] = [];
  const engine = new HttpEngine({
    deadlineMs: config.deadlineMs,
    concurrency: config.concurrency,
    stopAfterRefusals: REFUSALS_TO_STOP,
    ...(config.insecure ? { insecure: true } : {}),
    onExchange(exchange) {
      if (exchange.response) latencies.push(exchange.latencyMs);
    },
  });
  const generator = new DeliveryGenerator(config.seed);
  const scenarios = scenarioArbitrary(config.events);
  const cases = caseArbitrary(generator, config.events);
  const input: fc.Arbitrary<FuzzInput> = scenarios
    ? fc.oneof(
        { weight: 12, arbitrary: cases.map((value): FuzzInput => ({ kind: 'case', value })) },
        { weight: 1, arbitrary: scenarios.map((value): FuzzInput => ({ kind: 'scenario', value })) },
      )
    : cases.map((value): FuzzInput => ({ kind: 'case', value }));

  const classes: Record<string, number> = {};
  const findings: FuzzFinding[] = [];
  const shouldSeen = new Set<string>();
  const shrunkChecks = new Set<string>();
  let occurrences = 0;
  let runs = 0;
  let mustFailure = false;
  const lastFailure = new Map<number, LastFailure>();
  const progress = () => onProgress({ runs, deliveries: engine.sent, failures: findings.length, elapsedMs: performance.now() - started });
  const ticker = setInterval(progress, 500);

  const sign = (body: Buffer, signature: SignatureSpec, label: string, traits: TraitOptions = {}): HttpRequest => ({
    method: 'POST',
    url: config.target.href,
    headers: signedHeaders(signature, { secret: config.secret, body, ...(config.auth ? { auth: config.auth } : {}) }),
    body,
    label,
    traits: requestTraits(body, { signature: signature.kind }, traits),
  });
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
  const runCase = async (lane: number, built: BuiltCase): Promise<boolean> => {
    const label = `${built.fuzzCase.class} ${built.fuzzCase.event.name}`;
    const request = sign(built.body, built.signature, label, { delivery: built.delivery });
    const exchange = await engine.send(request);
    let verdict = judgeCase(built, exchange);
    const { eventTs } = built.delivery;
    if (verdict.status === 'pass' && built.fuzzCase.class === 'forged' && config.observer && eventTs !== undefined) {
      // A rejected forgery must also not have been applied (the observer shows what the status cannot).
      const count = await config.observer.count(built.fuzzCase.event.name, eventTs);
      if (count > 0) {
        verdict = { status: 'fail', reason: `a forgery (${describeSignature(built.signature)}) was rejected with ${outcome(exchange)} but applied ${count} time${count === 1 ? '' : 's'}`, observed: { applied: count } };
      }
    }
    if (verdict.status === 'pass') {
      keepPassing(built.check, [exchange]);
      return true;
    }
    const failure: LastFailure = {
      check: built.check,
      event: built.fuzzCase.event.name,
      reason: verdict.reason ?? 'failed',
      exchanges: [exchange],
      sent: [{ label, group: 0, request, signature: built.signature, expect: expectationOf(built.fuzzCase.class) }],
      edges: built.delivery.edges,
      system: built.fuzzCase.event.system,
      ...(verdict.observed ? { observed: verdict.observed } : {}),
    };
    if (built.check.level === 'SHOULD' && !config.strict) {
      const key = `${built.check.id}\u0000${failure.event}`;
      if (!shouldSeen.has(key)) {
        shouldSeen.add(key);
        findings.push(await saveFinding(failure, undefined));
      }
      return true;
    }
    lastFailure.set(lane, failure);
    return false;
  };

  const runScenario = async (lane: number, scenario: LifecycleScenario): Promise<boolean> => {
    // Fresh deliveries (fresh event_ts) on every run of a scenario, shrinking included: what the receiver applied
    // in an earlier run must not count in this one, so the shrunk scenario fails on its own.
    // A fresh occurrence too (new meeting uuid / session id): what the receiver remembers of one is not the next's.
    const lifecycle = buildLifecycle(generator, scenario.kind, config.events, 1000 + scenario.index, ++occurrences);
    let group = 0;
    const log: SentRequest[] = [];
    const sentSteps: number[] = [];
    /** The step's delivery, whether its body was sent before, and whether a later step was. */
    const scenarioTraits = (body: Buffer): TraitOptions => {
      const step = lifecycle.deliveries.findIndex((delivery) => delivery.body.equals(body));
      const traits: TraitOptions = {
        ...(step >= 0 ? { delivery: lifecycle.deliveries[step]! } : {}),
        duplicate: sentSteps.includes(step),
        outOfOrder: sentSteps.some((sent) => sent > step),
      };
      sentSteps.push(step);
      return traits;
    };
    const real: ScenarioReal = {
      lifecycle,
      observer: config.observer,
      log,
      nextGroup: () => group++,
      send: async (body, label) => {
        const request = sign(body, { kind: 'valid' }, label, scenarioTraits(body));
        const exchange = await engine.send(request);
        log.push({ label, group: group++, request, exchange });
        return exchange;
      },
      together: async (body, labels) => {
        const traits = scenarioTraits(body);
        // Copies sent at the same moment: each after the first is a copy of it.
        const requests = labels.map((label, index) => sign(body, { kind: 'valid' }, label, index === 0 ? traits : { ...traits, duplicate: true }));
        const exchanges = await engine.together(requests);
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
      const lastDelivery = last ? lifecycle.deliveries.find((delivery) => delivery.body.equals(last.request.body!)) : undefined;
      lastFailure.set(lane, {
        check: LIFECYCLE_CHECK,
        event: `lifecycle:${scenario.kind}`,
        reason: `${error.message} (sequence: ${log.map((entry) => entry.label).join('; ')})`,
        exchanges: log.map((entry) => entry.exchange),
        sent: log.map((entry) => ({ label: entry.label, group: entry.group, request: entry.request, signature: { kind: 'valid' }, expect: 'acknowledged' })),
        edges: [],
        system: lifecycle.deliveries[0]?.system ?? null,
        ...(config.observer && lastDelivery?.eventTs !== undefined ? { observe: { event: lastDelivery.event, eventTs: lastDelivery.eventTs, expected: 1 } } : {}),
        ...(error.observed ? { observed: error.observed } : {}),
      });
      return false;
    }
  };

  const saveFinding = async (failure: LastFailure, shrink: { seed: number; path: string; numRuns: number; numShrinks: number } | undefined): Promise<FuzzFinding> => {
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
    };
  };

  /** Shrinking stops after this long (a slow receiver makes every failing candidate cost a deadline). */
  const shrinkBudgetMs = Math.max(10_000, 10 * config.deadlineMs);
  const property = (lane: number) => {
    let shrinkUntil = 0;
    return fc.asyncProperty(input, async (value) => {
      if (engine.stopped) return true;
      if (shrinkUntil > 0) {
        // Shrinking: a candidate that cannot be tried within the budget counts as passing, which ends the shrink.
        if (Date.now() > shrinkUntil) return true;
      } else if (mustFailure || Date.now() > deadline) {
        // Another lane found a failure (or time is up): this lane stops sending.
        return true;
      }
      const kind = value.kind === 'case' ? value.value.class : 'lifecycle';
      classes[kind] = (classes[kind] ?? 0) + 1;
      runs++;
      let ok: boolean;
      try {
        ok = value.kind === 'case' ? await runCase(lane, buildCase(generator, value.value)) : await runScenario(lane, value.value);
      } catch (error) {
        if (!(error instanceof ObserverError)) throw error;
        // The observer broke its contract: a configuration problem, not a finding about the receiver.
        engine.stop(`observer: ${error.message}`);
        return true;
      }
      if (!ok && shrinkUntil === 0) {
        shrinkUntil = Date.now() + shrinkBudgetMs;
        mustFailure = true;
      }
      return ok;
    });
  };

  const parsedPath = config.path ? parsePath(config.path) : undefined;
  const laneSeed = (lane: number, round: number) => deriveSeed(config.seed, 'fuzz-lane', String(lane), String(round));

  const lane = async (index: number) => {
    for (let round = parsedPath?.round ?? 0; ; round++) {
      if (mustFailure || engine.stopped || Date.now() > deadline || budget <= 0) return;
      const numRuns = parsedPath ? 1 : Math.min(CHUNK, budget);
      budget -= numRuns;
      const seed = laneSeed(index, round);
      const details = await fc.check(property(index), { seed, numRuns, ...(parsedPath ? { path: parsedPath.path } : {}) });
      if (details.failed) {
        if (details.errorInstance instanceof EngineStopped || engine.stopped) return;
        const failure = lastFailure.get(index);
        if (!failure) throw details.errorInstance ?? new Error(`fuzz lane ${index}: a property failed without a recorded failure`);
        // Lanes that failed at the same moment found the same kind of failure: one shrunk case per check is enough.
        if (shrunkChecks.has(failure.check.id)) return;
        shrunkChecks.add(failure.check.id);
        const path = `${index}.${round}:${details.counterexamplePath ?? ''}`;
        findings.push(await saveFinding(failure, { seed: config.seed, path, numRuns: details.numRuns, numShrinks: details.numShrinks }));
        return;
      }
      if (parsedPath) return;
    }
  };

  try {
    const lanes = parsedPath ? [parsedPath.lane] : Array.from({ length: config.concurrency }, (_, index) => index);
    await Promise.all(lanes.map((index) => lane(index)));
  } finally {
    clearInterval(ticker);
    progress();
    await engine.close();
  }
  const durationMs = performance.now() - started;
  const stopped = engine.stopped;
  return {
    runs,
    deliveries: engine.sent,
    durationMs,
    latencies,
    classes,
    findings,
    results: results(config, findings, classes, passed),
    ...(stopped ? { stopped: { reason: stopped, unreachable: true } } : {}),
  };
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
 * One result per finding, and a pass for each check that ran cases and found nothing, holding (briefly) the first
 * passing exchanges of its cases: the evidence the diagnosis compares a failure with.
 */
function results(config: FuzzConfig, findings: FuzzFinding[], classes: Record<string, number>, passed: ReadonlyMap<string, Passing>): CheckResult[] {
  const systemOf = new Map(config.events.map((event) => [event.name, event.system]));
  const out: CheckResult[] = findings.map((finding) => ({
    check: finding.check,
    event: finding.event,
    ...(systemOf.has(finding.event) ? { system: systemOf.get(finding.event)! } : {}),
    status: 'fail',
    reason: `${finding.reason}${finding.shrunk ? ` (shrunk ${finding.numShrinks} times; fast-check path ${finding.path})` : ' (not shrunk: SHOULD level)'}; replay: conformance replay ${finding.replayFile}`,
    exchanges: finding.exchanges,
    ...(finding.observed ? { observed: finding.observed } : {}),
    reproduce: finding.path ? config.reproduce(finding.check, finding.event, finding.path) : `npx conformance replay ${finding.replayFile}`,
  }));
  const failed = new Set(findings.map((finding) => finding.check.id));
  const ran: [Check, number][] = [
    ...(Object.entries(FUZZ_CHECKS) as [CaseClass, Check][]).map(([kind, check]): [Check, number] => [check, classes[kind] ?? 0]),
    [LIFECYCLE_CHECK, classes.lifecycle ?? 0],
  ];
  const byCheck = new Map<string, { check: Check; count: number }>();
  for (const [check, count] of ran) {
    const entry = byCheck.get(check.id) ?? { check, count: 0 };
    entry.count += count;
    byCheck.set(check.id, entry);
  }
  for (const { check, count } of byCheck.values()) {
    const evidence = passed.get(check.id);
    if (count > 0 && !failed.has(check.id)) {
      out.push({ check, status: 'pass', reason: `${count} random case${count === 1 ? '' : 's'}, none failed`, exchanges: evidence?.exchanges ?? [], reproduce: config.reproduce(check, undefined, '') });
    } else if (evidence && evidence.count > 0) {
      // A check that failed on some cases passed on the others: those are the evidence a failure is compared with.
      const reason = `${evidence.count} other random case${evidence.count === 1 ? '' : 's'} passed`;
      out.push({ check, status: 'pass', reason, exchanges: evidence.exchanges, reproduce: config.reproduce(check, undefined, '') });
    }
  }
  return out;
}
