/**
 * The observer contract (`--observe URL`): the suite asks the receiver's test hook how many times it applied the
 * effects of one delivery. `GET URL?event=<event>&event_ts=<event_ts>` answers 200 with JSON `{"count": n}`.
 *
 * Receivers often acknowledge first and apply later, so a count below the expected one is asked again (with
 * backoff) until `settleMs` has passed; a count above it is final at once.
 */
import { request } from 'undici';

export class ObserverError extends Error {
  override name = 'ObserverError';
}

export interface ObserverReading {
  event: string;
  eventTs: number;
  count: number;
}

export class Observer {
  constructor(
    readonly url: URL,
    private readonly options: { timeoutMs: number; settleMs: number } = { timeoutMs: 3000, settleMs: 2000 },
  ) {}

  /** How many times the receiver applied the delivery (event, event_ts). Throws ObserverError when the hook breaks its contract. */
  async count(event: string, eventTs: number): Promise<number> {
    const url = new URL(this.url);
    url.searchParams.set('event', event);
    url.searchParams.set('event_ts', String(eventTs));
    let status: number;
    let text: string;
    try {
      const response = await request(url, { method: 'GET', signal: AbortSignal.timeout(this.options.timeoutMs), headers: { accept: 'application/json' } });
      status = response.statusCode;
      text = (await response.body.text()).slice(0, 500);
    } catch (error) {
      throw new ObserverError(`the observer ${this.url.origin}${this.url.pathname} did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (status !== 200) throw new ObserverError(`the observer answered status ${status}; the contract is 200 with {"count": n}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ObserverError('the observer did not answer JSON; the contract is 200 with {"count": n}');
    }
    const count = (parsed as { count?: unknown } | null)?.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw new ObserverError('the observer answer has no whole-number "count"; the contract is 200 with {"count": n}');
    }
    return count;
  }

  /**
   * The count once it reaches `expected` or `settleMs` has passed. Polls while the count is below `expected`;
   * returns at once when it is above.
   */
  async settledCount(event: string, eventTs: number, expected: number): Promise<ObserverReading> {
    const deadline = Date.now() + this.options.settleMs;
    let wait = 50;
    for (;;) {
      const count = await this.count(event, eventTs);
      if (count >= expected || Date.now() + wait > deadline) return { event, eventTs, count };
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, 400);
    }
  }

  /** Checks the contract once before the run, with a delivery no one sent: the answer must be `{"count": 0}`. */
  async preflight(): Promise<void> {
    const count = await this.count('conformance.observer_check', 0);
    if (count !== 0) throw new ObserverError(`the observer counted ${count} applications of a delivery never sent (event conformance.observer_check, event_ts 0)`);
  }
}
