/**
 * What a check is, what it concludes, and what a suite gives the runner.
 *
 * A check states one expectation at a level: MUST (a receiver that fails it loses events, accepts forgeries or
 * breaks Zoom's contract; only something Zoom, or an attacker on the open internet, can trigger) or SHOULD (a
 * recognised good practice, or hostile-but-valid input Zoom is unlikely to send). Its id is stable, its rationale
 * says in one sentence why it matters, and its `judge` turns recorded exchanges into a verdict.
 *
 * A probe is what sends: for one event (or once per run) it builds deliveries, sends them through the context and
 * hands the exchanges to the checks it feeds. A check that could not run is `skip` with a reason, never `pass`.
 */
import type { Delivery, DeliveryGenerator, DraftTraits, EdgeFlavor, Mode } from '../generators/deliveries.js';
import type { Exchange, HttpRequest } from '../engine/http.js';
import type { SignatureSpec } from '../profiles/zoom.js';
import type { WebhookEvent } from '../specs/catalog.js';
import type { Observer } from './observer.js';

export type Level = 'MUST' | 'SHOULD';
/** What a pass needs beyond the judge's verdict (see `Check.evidence` and suites/evidence.ts). */
export type EvidenceRule = 'rejection' | 'idempotency';
export const LEVELS: readonly Level[] = ['MUST', 'SHOULD'];

const WEBHOOK_SUITE_IDS = ['url-validation', 'acknowledgement', 'signature', 'idempotency', 'robustness'] as const;
/** The suites of REST API contract checks (`conformance api`), reported after the webhook suites. */
export const API_SUITE_IDS = ['api-contract'] as const;
export type SuiteId = (typeof WEBHOOK_SUITE_IDS)[number] | (typeof API_SUITE_IDS)[number];
/** The webhook suites, in run order: the main job's `--suite` list. */
export const SUITE_IDS: readonly SuiteId[] = WEBHOOK_SUITE_IDS;
/** Every suite, in report order. */
export const ALL_SUITE_IDS: readonly SuiteId[] = [...SUITE_IDS, ...API_SUITE_IDS];

export type Status = 'pass' | 'fail' | 'skip';

export interface Verdict {
  status: Status;
  /** Why it failed or was skipped (for a pass: an optional note). */
  reason?: string;
  /** The exchanges that show it; default: all the exchanges judged. */
  exchanges?: Exchange[];
  /** What the observer (`--observe`) reported, for the checks that ask it. */
  observed?: Observation;
}

/** What the observer reported about one delivery. */
export interface Observation {
  /** How many times the receiver applied it. */
  applied: number;
  /** How many times a correct receiver applies what was sent (1 for copies of one delivery, 2 for two distinct ones); default 1. */
  expected?: number;
}

export interface Check {
  /** Stable id: `<suite>.<name>`. */
  id: string;
  suite: SuiteId;
  level: Level;
  title: string;
  /** One sentence: why it matters. */
  rationale: string;
  /** Needs the observer (`--observe`); skipped with the reason without it. */
  needsObserver?: boolean;
  /**
   * A pass of this check needs evidence beyond the judge's verdict (suites/evidence.ts, applied by the runner after
   * the run and by the fuzzer): each delivery it rests on was answered, or dropped while the target acknowledged
   * valid deliveries in the same run; otherwise the pass becomes a skip, "inconclusive". `rejection`: checks that
   * pass when a delivery is not accepted; `idempotency`: checks of retries and copies.
   */
  evidence?: EvidenceRule;
  /** Judges the exchanges a probe recorded for it (checks judged otherwise record verdicts themselves). */
  judge?: (exchanges: Exchange[]) => Verdict;
}

export interface CheckResult {
  check: Check;
  /** The event (or scenario) judged; undefined for checks of the whole endpoint. */
  event?: string;
  /** The system (spec) of the event, when the event is one of the selected events. */
  system?: string;
  status: Status;
  reason?: string;
  exchanges: Exchange[];
  /** What the observer reported, for the checks that ask it. */
  observed?: Observation;
  /** A command line that repeats this check on this event with the same seed. */
  reproduce: string;
}

export interface SampleOptions {
  /** Distinguishes several samples of one probe and event. */
  salt?: string;
  /** Edge mode: any edge, or only edges Zoom itself sends. */
  flavor?: EdgeFlavor;
  /** Keeps only drafts with these traits (judged before any bytes are built); fewer than `count` may come back. */
  where?: (traits: DraftTraits) => boolean;
  /** Drafts drawn to choose from when `where` is given (default 4 x count). */
  draw?: number;
}

/** What the request's traits (engine/http.ts RequestTraits) say beyond how it was signed. */
export interface TraitOptions {
  /** The generated delivery whose body this is (its event, edges and byte form), or whose body it was derived from. */
  delivery?: Delivery;
  /** The event the body carries, when it is not a generated delivery's. */
  event?: string;
  /** The same body was sent before in this run. */
  duplicate?: boolean;
  /** A step of a sequence sent after a later step about the same object (meeting, session). */
  outOfOrder?: boolean;
  /** A retry of a delivery first sent this many milliseconds earlier. */
  retryAgeMs?: number;
  /** One of several copies released at the same instant (each is a copy of the others). */
  simultaneous?: boolean;
}

export interface SignOptions extends TraitOptions {
  /** Seconds from now to the x-zm-request-timestamp signed (negative: in the past); default 0. */
  timestampOffset?: number;
  /** How to sign: as Zoom does (default), or one of the forgeries the Zoom profile knows. */
  as?: SignatureSpec;
  method?: string;
  label?: string;
}

/** What a probe can use. One context per probe run (per event, or once per run). */
export interface ProbeContext {
  readonly seed: number;
  readonly deadlineMs: number;
  /** Valid deliveries per event for the checks that send several (`--examples`). */
  readonly examples: number;
  /** Deliveries in the burst (`--burst`). */
  readonly burstSize: number;
  /** Copies of a fresh delivery released at the same instant (`--copies`). */
  readonly copies: number;
  /** How long after its original a late retry is sent at the earliest (`--retry-after`), in milliseconds. */
  readonly retryAfterMs: number;
  /** The selected events. */
  readonly events: readonly WebhookEvent[];
  readonly generator: DeliveryGenerator;
  /** The observer, when `--observe` was given. */
  readonly observer: Observer | undefined;
  /** Whether the check was selected (probes may skip sends that feed only unselected checks). */
  wants(check: Check): boolean;
  /** `count` deliveries of the event in the mode, deterministic for (seed, probe, event, options). */
  sample(event: WebhookEvent, mode: Mode, count: number, options?: SampleOptions): Delivery[];
  /** A request of `body` with Zoom's headers, signed with the run's secret (or forged, per `options.as`). */
  signed(body: Buffer, options?: SignOptions): HttpRequest;
  /** A request with Zoom's headers but no timestamp and no signature; add or change headers on the result. */
  unsigned(body: Buffer | undefined, options?: { method?: string; label?: string } & TraitOptions): HttpRequest;
  /** The encryptedToken a correct receiver answers for `plainToken`. */
  challengeToken(plainToken: string): string;
  send(request: HttpRequest): Promise<Exchange>;
  /** Sends the requests at the same moment, within the concurrency bound (copies that must arrive together). */
  together(requests: readonly HttpRequest[]): Promise<Exchange[]>;
  /**
   * Sends the requests on connections of their own, completed at the same instant (each held at its last byte until
   * all are), within the concurrency bound: copies that really overlap inside the receiver.
   */
  releasedTogether(requests: readonly HttpRequest[]): Promise<Exchange[]>;
  /** Writes the request whole, then closes the connection before any answer (Zoom giving up at its deadline). */
  abandon(request: HttpRequest): Promise<Exchange>;
  /** Sends all at the same moment, beyond the concurrency bound (only from an exclusive probe). */
  burst(requests: readonly HttpRequest[]): Promise<Exchange[]>;
  /** Judges exchanges with the check's own `judge` and records the verdict. */
  judge(check: Check, event: string | undefined, exchanges: Exchange[]): void;
  /** Records a verdict reached otherwise. */
  record(check: Check, event: string | undefined, verdict: Verdict & { exchanges: Exchange[] }): void;
  /** Work to do once every delivery of the run has been sent (observer queries, late retries). */
  later(task: () => Promise<void>): void;
  /** Work to do `delayMs` from now, alongside the other probes, without holding a probe slot (a retry that must not follow at once). */
  after(delayMs: number, task: () => Promise<void>): void;
  /** Resolves after `ms`, or at once when the run is stopped from outside. */
  wait(ms: number): Promise<void>;
}

export interface Probe {
  /** Stable id; also salts the probe's deliveries. */
  id: string;
  /** The checks it feeds. */
  checks: readonly Check[];
  /** Once per selected event, or once per run. */
  scope: 'event' | 'run';
  /** Runs before the other probes (its deliveries are the oldest of the run: late retries). */
  early?: boolean;
  /** Runs alone, after everything else (bursts: nothing else may compete for the receiver). */
  exclusive?: boolean;
  run(context: ProbeContext, event: WebhookEvent | undefined): Promise<void>;
}

export interface Suite {
  id: SuiteId;
  title: string;
  checks: readonly Check[];
  probes: readonly Probe[];
}

/** Declares a check (the suite prefix of its id is checked, so ids stay stable and grouped). */
export function defineCheck(check: Check): Check {
  if (!check.id.startsWith(`${check.suite}.`)) throw new Error(`check ${check.id} must start with its suite ${check.suite}`);
  return Object.freeze(check);
}
