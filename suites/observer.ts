/**
 * The observer contract: the suite asks the receiver how many times it applied the effects of one delivery. Two
 * implementations: the receiver's test hook over HTTP (`--observe URL`: `GET URL?event=<event>&event_ts=<event_ts>`
 * answers 200 with JSON `{"count": n}`), and a function of the library (`observe: (event, eventTs) => n`).
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

export interface Observer {
  /** How many times the receiver applied the delivery (event, event_ts). Throws ObserverError when the observer breaks its contract. */
  count(event: string, eventTs: number): Promise<number>;
  /**
   * The count once it reaches `expected` or `settleMs` has passed. Polls while the count is below `expected`;
   * returns at once when it is above.
   */
  settledCount(event: string, eventTs: number, expected: number): Promise<ObserverReading>;
  /** Checks the contract once before the run, with a delivery no one sent: the answer must be `{"count": 0}`. */
  preflight(): Promise<void>;
}

export interface ObserverOptions {
  /** How long one question may take. */
  timeoutMs: number;
  /** How long a count below the expected one is asked again. */
  settleMs: number;
}

const DEFAULT_OPTIONS: ObserverOptions = { timeoutMs: 3000, settleMs: 2000 };

/** What every observer does with its one question (`count`): settling and the preflight. */
abstract class CountingObserver implements Observer {
  constructor(protected readonly options: ObserverOptions) {}

  abstract count(event: string, eventTs: number): Promise<number>;

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

  async preflight(): Promise<void> {
    const count = await this.count('conformance.observer_check', 0);
    if (count !== 0) throw new ObserverError(`the observer counted ${count} applications of a delivery never sent (event conformance.observer_check, event_ts 0)`);
  }
}

/** The receiver's test hook over HTTP: `GET URL?event=&event_ts=` answers 200 with `{"count": n}`. */
export class HttpObserver extends CountingObserver {
  constructor(
    readonly url: URL,
    options: ObserverOptions = DEFAULT_OPTIONS,
  ) {
    super(options);
  }

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
    return wholeCount((parsed as { count?: unknown } | null)?.count, 'the observer answer has no whole-number "count"; the contract is 200 with {"count": n}');
  }
}

/** How many times the receiver applied the delivery with this `event` and `event_ts`. */
export type CountFunction = (event: string, eventTs: number) => number | Promise<number>;

/** A function that counts (the library's `observe`): the same contract, without HTTP. */
export class FunctionObserver extends CountingObserver {
  constructor(
    private readonly countOf: CountFunction,
    options: ObserverOptions = DEFAULT_OPTIONS,
  ) {
    super(options);
  }

  async count(event: string, eventTs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    let value: unknown;
    try {
      value = await Promise.race([
        Promise.resolve().then(() => this.countOf(event, eventTs)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ObserverError(`the observe function did not return within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
        }),
      ]);
    } catch (error) {
      if (error instanceof ObserverError) throw error;
      throw new ObserverError(`the observe function threw: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
    return wholeCount(value, `the observe function returned ${describeValue(value)}; it must return (or resolve to) a whole number`);
  }
}

function wholeCount(value: unknown, problem: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new ObserverError(problem);
  return value;
}

function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return value === null ? 'null' : typeof value;
}
