/**
 * Late retries in fuzz: Zoom retries a delivery 5, 20 and 60 minutes after the first attempt, so a receiver must
 * remember what it applied for well over an hour. The fuzzer keeps a sample of the deliveries it saw acknowledged
 * and sends them again later: each one `retryAfterMs` after it was first acknowledged (`--retry-after`), and the
 * earliest of the run once more at its end. A retry must be acknowledged and, with the observer, not applied again.
 *
 * The sample is spread over time and bounded, so memory stays flat however long the fuzz runs.
 */
import { defineCheck } from './check.js';

export const LATE_RETRY_CHECK = defineCheck({
  id: 'idempotency.fuzz-late-retry',
  suite: 'idempotency',
  level: 'MUST',
  title: 'Deliveries retried long after they were first acknowledged are acknowledged and not applied again',
  rationale: "Zoom's retries come 5, 20 and 60 minutes after the first attempt; a deduplication memory that forgets sooner applies them again.",
});

export interface SentDelivery {
  event: string;
  system: string;
  eventTs: number | undefined;
  body: Buffer;
  /** Epoch milliseconds when it was first sent. */
  sentAt: number;
}

/** Deliveries retried at the end of every run (the earliest of the run). */
export const END_OF_RUN_RETRIES = 16;
/** Deliveries waiting for their `--retry-after` at most (older samples leave as they are retried). */
const MAX_WAITING = 2000;

export class LateRetryQueue {
  private readonly earliest: SentDelivery[] = [];
  private readonly waiting: SentDelivery[] = [];
  private lastSampled = -Infinity;
  private readonly sampleEveryMs: number;

  /** `retryAfterMs`: retry each sampled delivery this long after it was sent (none during the run when undefined). */
  constructor(
    private readonly retryAfterMs: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    // At most about a thousand samples per retry-after period, at most four a second.
    this.sampleEveryMs = retryAfterMs === undefined ? Infinity : Math.max(250, retryAfterMs / 1000);
  }

  /** A delivery the receiver acknowledged: kept when it is among the run's earliest, or due for a sample. */
  record(delivery: SentDelivery): void {
    if (this.earliest.length < END_OF_RUN_RETRIES) this.earliest.push(delivery);
    if (this.retryAfterMs !== undefined && delivery.sentAt - this.lastSampled >= this.sampleEveryMs && this.waiting.length < MAX_WAITING) {
      this.lastSampled = delivery.sentAt;
      this.waiting.push(delivery);
    }
  }

  /** The next delivery whose retry is due (`retryAfterMs` after it was sent), if any. */
  due(): SentDelivery | undefined {
    if (this.retryAfterMs === undefined) return undefined;
    const head = this.waiting[0];
    if (!head || this.now() - head.sentAt < this.retryAfterMs) return undefined;
    return this.waiting.shift();
  }

  /** Milliseconds until the next retry is due (Infinity when none waits). */
  untilDue(): number {
    const head = this.waiting[0];
    return head === undefined || this.retryAfterMs === undefined ? Infinity : Math.max(0, head.sentAt + this.retryAfterMs - this.now());
  }

  /** The run's earliest deliveries, for their retry at the end of the run (each handed out once). */
  takeEarliest(): SentDelivery[] {
    return this.earliest.splice(0);
  }
}
