/**
 * A run as the rules read it: the results with their indexes, every exchange with where it is, and the few facts
 * most rules share (how the receiver answers a forged signature, which deliveries are what Zoom sends).
 */
import { isAcknowledged } from '../profiles/zoom.js';
import type { Claim, ExchangeEvidence, ResultEvidence, RunEvidence } from './finding.js';

/** An exchange and where it is. */
export interface Located {
  result: number;
  exchange: number;
  record: ResultEvidence;
  x: ExchangeEvidence;
}

/** Forgeries with a digest of the full length that does not match: what a receiver answers a wrong signature with. */
const WRONG_DIGESTS = new Set(['wrong-secret', 'tampered', 'other-body', 'flipped']);

export class Run {
  readonly results: readonly ResultEvidence[];
  readonly deadlineMs: number;
  private located?: Located[];
  private failingLocated?: Located[];
  private genuineLocated?: Located[];
  private rejections?: ReadonlySet<number>;

  constructor(evidence: RunEvidence) {
    this.results = evidence.results;
    this.deadlineMs = evidence.deadlineMs;
  }

  /** The results of a check (any status), with their indexes. */
  of(checkId: string): { index: number; record: ResultEvidence }[] {
    const out: { index: number; record: ResultEvidence }[] = [];
    this.results.forEach((record, index) => {
      if (record.id === checkId) out.push({ index, record });
    });
    return out;
  }

  /** The failed results of the checks. */
  failed(...checkIds: string[]): { index: number; record: ResultEvidence }[] {
    return checkIds.flatMap((id) => this.of(id)).filter(({ record }) => record.status === 'fail').sort((a, b) => a.index - b.index);
  }

  /** Whether the check ran (a result that is not skipped). */
  ran(checkId: string): boolean {
    return this.of(checkId).some(({ record }) => record.status !== 'skip');
  }

  /** Every exchange of every result. */
  exchanges(): readonly Located[] {
    this.located ??= this.results.flatMap((record, result) => record.exchanges.map((x, exchange) => ({ result, exchange, record, x })));
    return this.located;
  }

  /** The exchanges of failed results: the ones that show each failure. (Rules look here first: it is small.) */
  failing(): readonly Located[] {
    this.failingLocated ??= this.exchanges().filter((located) => located.record.status === 'fail');
    return this.failingLocated;
  }

  /** Every exchange that is what Zoom itself sends (see `genuine`), in passed and failed results alike. */
  genuine(): readonly Located[] {
    this.genuineLocated ??= this.exchanges().filter(({ x }) => genuine(x));
    return this.genuineLocated;
  }

  /** How many wrong signatures of full length were sent, when none was accepted (the receiver compares digests); else 0. */
  wrongDigestsRefused(): number {
    const wrong = this.exchanges().filter(({ x }) => WRONG_DIGESTS.has(x.traits?.signature ?? ''));
    return wrong.some(({ x }) => accepted(x)) ? 0 : wrong.length;
  }

  /**
   * The statuses the receiver answers a wrong signature with (a digest of the right length that does not match):
   * what it answers whenever its own verification fails.
   */
  signatureRejections(): ReadonlySet<number> {
    this.rejections ??= new Set(
      this.exchanges()
        .filter(({ x }) => WRONG_DIGESTS.has(x.traits?.signature ?? '') && x.response && !accepted(x))
        .map(({ x }) => x.response!.status),
    );
    return this.rejections;
  }
}

export function statusOf(x: ExchangeEvidence): number | undefined {
  return x.response?.status;
}

/** 2xx. */
export function accepted(x: ExchangeEvidence): boolean {
  const status = statusOf(x);
  return status !== undefined && status >= 200 && status < 300;
}

/** 200 or 204 within the deadline: what Zoom counts. */
export function acknowledged(x: ExchangeEvidence): boolean {
  return isAcknowledged(statusOf(x));
}

export function timedOut(x: ExchangeEvidence): boolean {
  return x.error?.kind === 'timeout';
}

/**
 * A 5xx, or a connection dropped without an answer. Not a timeout (slow is another cause), nor a connection refused
 * or a name or TLS failure: those say the target is gone or unreachable, not that this delivery broke it.
 */
export function crashed(x: ExchangeEvidence): boolean {
  const status = statusOf(x);
  if (status !== undefined) return status >= 500;
  return x.error?.kind === 'reset' || x.error?.kind === 'error';
}

/** Signed as Zoom signs, with a timestamp of now. */
export function signedNow(x: ExchangeEvidence): boolean {
  return x.traits?.signature === 'valid' && !x.traits.timestampOffset;
}

/**
 * What Zoom itself sends: correctly signed now, a JSON body that keeps to its schema (no breakage kind). A receiver
 * must acknowledge it (duplicates and unknown events aside, which rules look at apart).
 */
export function genuine(x: ExchangeEvidence): boolean {
  const traits = x.traits;
  if (!traits || !signedNow(x) || traits.compact === undefined) return false;
  return !(traits.edges ?? []).some((kind) => kind.startsWith('schema.') || kind.startsWith('json.'));
}

/** The event a delivery carries: its trait, else the result's event when that is one. */
export function eventOf(located: Pick<Located, 'x' | 'record'>): string | undefined {
  return located.x.traits?.event ?? (located.record.event !== null && !located.record.event.includes(':') ? located.record.event : undefined);
}

/** `status 500 after 12 ms`, `no answer within the deadline (timeout)`. */
export function outcomeOf(x: ExchangeEvidence): string {
  const ms = `${Math.round(x.latencyMs)} ms`;
  if (x.response) return `status ${x.response.status} after ${ms}`;
  if (x.error?.kind === 'timeout') return `no answer within ${ms}`;
  return `${x.error?.kind ?? 'no answer'} after ${ms}`;
}

/** The observer saw the delivery applied more often than a correct receiver applies what was sent. */
export function overApplied(record: ResultEvidence): boolean {
  return record.observed !== undefined && record.observed.applied > (record.observed.expected ?? 1);
}

/** The observer saw fewer applications than the distinct deliveries sent, though some were applied. */
export function underApplied(record: ResultEvidence): boolean {
  return record.observed !== undefined && record.observed.applied > 0 && record.observed.applied < (record.observed.expected ?? 1);
}

/** A copy of a delivery sent after it, not alongside it (a retry). */
export function sequentialCopy(x: ExchangeEvidence): boolean {
  return x.traits?.duplicate === true && x.traits.simultaneous !== true;
}

/**
 * Whether the run shows the receiver deduplicating copies sent one after another: the main run's redeliveries applied
 * once (and never more), or a fuzz lifecycle with a retry that passed.
 */
export function sequentialCopiesDeduplicated(run: Run): boolean {
  const appliedOnce = run.of('idempotency.applied-once');
  if (appliedOnce.some(({ record }) => record.status === 'fail' && overApplied(record))) return false;
  if (appliedOnce.some(({ record }) => record.status === 'pass')) return true;
  return run.of('idempotency.fuzz-lifecycle').some(({ record }) => record.status === 'pass' && record.exchanges.some(sequentialCopy));
}

/** The ages (ms) of retries in results where the observer saw no second application: what the receiver still remembered. */
export function rememberedRetryAges(run: Run): number[] {
  const checks = ['idempotency.applied-once', 'idempotency.abandoned-applied-once', 'idempotency.late-retry', 'idempotency.fuzz-late-retry'];
  return checks
    .flatMap((id) => run.of(id))
    .filter(({ record }) => record.status === 'pass' || (record.observed !== undefined && !overApplied(record)))
    .flatMap(({ record }) => record.exchanges.flatMap((x) => (x.traits?.retryAgeMs !== undefined && acknowledged(x) ? [x.traits.retryAgeMs] : [])));
}

export function claim(located: Pick<Located, 'result' | 'exchange'>): Claim {
  return { result: located.result, exchange: located.exchange };
}

/** `1 delivery`, `3 deliveries`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}
