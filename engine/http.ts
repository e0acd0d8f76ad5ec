/**
 * The delivery engine: sends HTTP requests to a target and records every exchange. It knows nothing of Zoom.
 *
 * - keep-alive connections (undici Agent), bounded concurrency (p-limit), and a burst mode that bypasses the bound;
 * - copies completed at the same instant (through the pool, one copy per connection, bodies streamed and the last
 *   bytes released together), and requests abandoned once written on connections of their own
 *   (held-connections.ts), within the same bound and accounting;
 * - a per-request deadline covering connect, send and the response headers; the body is read within the same
 *   deadline and only up to a cap, so a slow, hanging or flooding target never hangs the run;
 * - every exchange is recorded: the request (method, URL, headers, exact body), the response (status, headers, body
 *   excerpt, size) or the failure (timeout, refused, reset, dns, tls), and the latency to the response headers.
 */
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { classify, describeError, type FailureKind } from './failures.js';
import { sendAndAbandon, type HeldOptions } from './held-connections.js';
import { BodyUpToCap, flattenHeaders, type CappedBody } from './response-body.js';
import { Slots } from './slots.js';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What this request is for, in a few words (passed through to the exchange, for reports). */
  label?: string;
  /** What the sender knows of the request that its answer cannot tell (passed through untouched, for diagnosis). */
  traits?: RequestTraits;
}

/**
 * Facts about a request that the sender knows and the receiver's answer cannot tell: how it was signed, what its
 * body is. The engine never reads them; the diagnosis of a run (findings/) does, from the report, so they are small
 * and plain.
 */
export interface RequestTraits {
  /** Request body bytes (0 without a body). */
  bytes: number;
  /** The event the body carries (its `event` field), when the sender knows it. */
  event?: string;
  /** How it was signed: `valid` (as the provider signs), `unsigned`, or the kind of forgery. */
  signature?: string;
  /** Seconds from the moment of signing to the signed timestamp (negative: in the past); absent when 0. */
  timestampOffset?: number;
  /**
   * Whether the body's bytes are exactly `JSON.stringify(JSON.parse(body))` (what a receiver that re-serializes the
   * parsed body before verifying its signature computes over); absent when the body is not JSON.
   */
  compact?: boolean;
  /** The edge or breakage kinds the body carries (sorted, each once); absent when none. */
  edges?: readonly string[];
  /** The same body was sent before in this run (a retry, or a copy sent twice). */
  duplicate?: boolean;
  /** Part of a sequence (a lifecycle), sent after a later step about the same object (meeting, session). */
  outOfOrder?: boolean;
  /** A retry of a delivery first sent this many milliseconds earlier. */
  retryAgeMs?: number;
  /** One of several copies released at the same instant (each is a copy of the others). */
  simultaneous?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[]>;
  /** The body, up to the engine's cap. */
  body: Buffer;
  /** Bytes received (up to the cap, or until the deadline). */
  bodyBytes: number;
  /** True when the body was cut at the cap or at the deadline. */
  truncated: boolean;
}

export type { FailureKind } from './failures.js';

export interface Exchange {
  request: HttpRequest;
  response?: HttpResponse;
  error?: { kind: FailureKind; message: string };
  /** Epoch milliseconds when the request was started. */
  startedAt: number;
  /** Milliseconds from the start to the response headers (or to the failure). */
  latencyMs: number;
}

export interface EngineOptions {
  /** Per-request deadline in milliseconds. */
  deadlineMs: number;
  /** Requests in flight at once (bursts excepted). */
  concurrency: number;
  /** How much of a response body is kept. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Accept any TLS certificate (self-signed test targets). */
  insecure?: boolean;
  /** Called after every exchange, in completion order. */
  onExchange?: (exchange: Exchange) => void;
  /** Stops the engine (see `stop`) once this many requests in a row were refused: the target went away. */
  stopAfterRefusals?: number;
}

/** A request body written in chunks as they come (copies released together), `bytes` long in all. */
interface StreamedBody {
  body: AsyncIterable<Buffer>;
  bytes: number;
  /** Called with a function that restarts the request's latency and deadline. */
  onStart(restart: () => void): void;
}

/** Thrown by `send` once the engine was stopped: the run is over, nothing more is sent. */
export class EngineStopped extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'EngineStopped';
  }
}

/** The abort reason of requests cut off by `stop(reason, { abortInFlight: true })`. */
const STOPPED = Symbol('engine stopped');

export class HttpEngine {
  private readonly agent: Agent;
  private readonly slots: Slots;
  private readonly maxResponseBytes: number;
  private stopReason: string | undefined;
  /** Cut off the requests in flight (a stop that cuts them off calls each). */
  private readonly inFlight = new Set<() => void>();
  private lastTarget: { url: string; origin: string; path: string } | undefined;
  private refusals = 0;
  /** Requests sent so far. */
  sent = 0;
  /** Request body bytes sent so far. */
  bytesSent = 0;

  constructor(private readonly options: EngineOptions) {
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024;
    this.slots = new Slots(options.concurrency);
    this.agent = new Agent({
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 30_000,
      connect: { timeout: options.deadlineMs, ...(options.insecure ? { rejectUnauthorized: false } : {}) },
      // The deadline is enforced per request with an AbortSignal; undici's own timers are only a backstop.
      headersTimeout: options.deadlineMs + 1000,
      bodyTimeout: options.deadlineMs + 1000,
    });
  }

  get deadlineMs(): number {
    return this.options.deadlineMs;
  }

  /** Sends one request within the concurrency bound. */
  async send(req: HttpRequest): Promise<Exchange> {
    this.assertRunning();
    const taken = await this.slots.acquire(1);
    try {
      return await this.exchange(req);
    } finally {
      this.slots.release(taken);
    }
  }

  /**
   * Sends the requests at the same moment (copies that must arrive together), taking as many slots of the bound
   * as there are requests (all slots at most), so the bound holds.
   */
  async together(requests: readonly HttpRequest[]): Promise<Exchange[]> {
    this.assertRunning();
    const taken = await this.slots.acquire(requests.length);
    try {
      return await Promise.all(requests.map((req) => this.exchange(req)));
    } finally {
      this.slots.release(taken);
    }
  }

  /** Sends all requests at the same moment, beyond the concurrency bound (a burst, run alone); resolves when all have answered. */
  burst(requests: readonly HttpRequest[]): Promise<Exchange[]> {
    this.assertRunning();
    return Promise.all(requests.map((req) => this.exchange(req)));
  }

  /**
   * Sends the requests on connections of their own and completes them at the same instant (each written but for its
   * last byte, then every last byte in one tick), taking as many slots as there are requests: copies that really
   * overlap inside the receiver. Each goes through the pool like any request (one request per connection at a time,
   * so copies in flight together are on connections of their own; idle connections are reused), its body streamed:
   * everything but the last byte first, the last byte once every copy holds its request. The deadline and the
   * latency of a copy count from its release.
   */
  async releasedTogether(requests: readonly HttpRequest[]): Promise<Exchange[]> {
    this.assertRunning();
    const taken = await this.slots.acquire(requests.length);
    try {
      this.assertRunning();
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const held = requests.map((req) => this.held(req, released));
      await Promise.all(held.map((copy) => copy.ready));
      release();
      return await Promise.all(held.map((copy) => copy.done));
    } finally {
      this.slots.release(taken);
    }
  }

  /**
   * One copy of `releasedTogether`: ready once its connection holds everything but the last byte (or once it failed),
   * done with its exchange.
   */
  private held(req: HttpRequest, released: Promise<void>): { ready: Promise<void>; done: Promise<Exchange> } {
    const body = req.body ?? Buffer.alloc(0);
    const head = body.subarray(0, Math.max(0, body.length - 1));
    const last = body.subarray(head.length);
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    let restart = () => {};
    // undici asks for the next chunk once the one before was handed to the connection.
    async function* chunks(): AsyncGenerator<Buffer> {
      if (head.length > 0) yield head;
      markReady();
      await released;
      restart();
      if (last.length > 0) yield last;
    }
    const done = this.exchange(req, { body: chunks(), bytes: body.length, onStart: (again) => (restart = again) });
    void done.then(markReady, markReady);
    return { ready, done };
  }

  /** Writes the request whole, then closes the connection before any answer (a sender giving up at its deadline). */
  async abandon(req: HttpRequest): Promise<Exchange> {
    this.assertRunning();
    const taken = await this.slots.acquire(1);
    try {
      this.assertRunning();
      this.count([req]);
      return this.recorded(await this.guarded((signal) => sendAndAbandon(req, this.heldOptions(signal))));
    } finally {
      this.slots.release(taken);
    }
  }

  /** Runs held-connection work that a stop cutting off requests in flight aborts (it then throws EngineStopped). */
  private async guarded<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const stop = () => controller.abort(STOPPED);
    this.inFlight.add(stop);
    try {
      const result = await work(controller.signal);
      if (controller.signal.reason === STOPPED) throw new EngineStopped(this.stopReason!);
      return result;
    } finally {
      this.inFlight.delete(stop);
    }
  }

  private heldOptions(signal: AbortSignal): HeldOptions {
    return { deadlineMs: this.options.deadlineMs, signal, ...(this.options.insecure ? { insecure: true } : {}) };
  }

  private count(requests: readonly HttpRequest[]): void {
    this.sent += requests.length;
    for (const req of requests) this.bytesSent += req.body?.length ?? 0;
  }

  /**
   * Stops the engine: every later `send` throws EngineStopped with the reason. With `abortInFlight` (a stop asked
   * for from outside: a signal, the parent going away) the requests still waiting for their answer are cut off too
   * and their `send` throws EngineStopped: an answer that never came because we hung up is no evidence of anything.
   */
  stop(reason: string, options: { abortInFlight?: boolean } = {}): void {
    this.stopReason ??= reason;
    if (options.abortInFlight) for (const stop of [...this.inFlight]) stop();
  }

  get stopped(): string | undefined {
    return this.stopReason;
  }

  async close(): Promise<void> {
    this.slots.clear();
    await this.agent.close().catch(() => this.agent.destroy());
  }

  private assertRunning(): void {
    if (this.stopReason !== undefined) throw new EngineStopped(this.stopReason);
  }

  /**
   * One request through undici's dispatcher, with a handler that keeps the answer as it comes (no response stream,
   * no abort signal: a request costs a fraction of `undici.request`'s bookkeeping). The deadline covers the
   * request, the response headers and the body; what the body had by then is kept, cut.
   */
  private exchange(req: HttpRequest, streamed?: StreamedBody): Promise<Exchange> {
    this.assertRunning();
    this.count([req]);
    const startedAt = Date.now();
    let start = performance.now();
    return new Promise<Exchange>((resolve, reject) => {
      let controller: Dispatcher.DispatchController | undefined;
      let status: number | undefined;
      let headers: Record<string, string | string[]> = {};
      let latencyMs = 0;
      let body: BodyUpToCap | undefined;
      /** Why we cut the request short, if we did. */
      let cut: 'deadline' | 'cap' | 'stopped' | undefined;
      let settled = false;
      const settle = (outcome: Omit<Exchange, 'request' | 'startedAt'> | EngineStopped) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(stop);
        if (outcome instanceof EngineStopped) reject(outcome);
        else resolve(this.recorded({ request: req, startedAt, ...outcome }));
      };
      const answered = (truncated: boolean) =>
        settle({ response: { status: status!, headers, ...renamed(body!.result(truncated)) }, latencyMs });
      const failed = (error: unknown) => {
        if (cut === 'stopped') return settle(new EngineStopped(this.stopReason!));
        if (status !== undefined) return answered(true);
        const kind: FailureKind = cut === 'deadline' ? 'timeout' : classify(error);
        const message = kind === 'timeout' && cut === 'deadline' ? `no response within ${this.options.deadlineMs} ms` : describeError(error);
        settle({ error: { kind, message }, latencyMs: performance.now() - start });
      };
      /** Cuts the request short; before undici started it, it is settled at once (and aborted when undici starts it). */
      const cutShort = (why: 'deadline' | 'cap' | 'stopped') => {
        cut ??= why;
        if (controller) controller.abort(new Error(`cut short: ${why}`));
        else failed(new Error(`cut short: ${why}`));
      };
      const stop = () => cutShort('stopped');
      const timer = setTimeout(() => cutShort('deadline'), this.options.deadlineMs);
      // A streamed body's request starts again when its last byte is released: latency and deadline from then.
      streamed?.onStart(() => {
        start = performance.now();
        timer.refresh();
      });
      this.inFlight.add(stop);
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (started) => {
          controller = started;
          if (settled) started.abort(new Error(`cut short: ${cut ?? 'settled'}`));
        },
        onResponseStart: (_controller, statusCode, responseHeaders) => {
          // Informational answers (1xx) come before the final one.
          if (statusCode < 200 || status !== undefined) return;
          status = statusCode;
          latencyMs = performance.now() - start;
          headers = flattenHeaders(responseHeaders);
          body = new BodyUpToCap(this.maxResponseBytes);
        },
        onResponseData: (_controller, chunk) => {
          if (body && !cut && body.add(chunk)) cutShort('cap');
        },
        onResponseEnd: () => {
          if (status === undefined) failed(new Error('the response ended without a status'));
          else answered(false);
        },
        onResponseError: (_controller, error) => {
          if (cut === 'cap') answered(true);
          else failed(error);
        },
      };
      try {
        const { origin, path } = this.target(req.url);
        // undici writes an async iterable body chunk by chunk (its types leave iterables out); its length is declared.
        const headers = streamed ? { ...req.headers, 'content-length': String(streamed.bytes) } : req.headers;
        const requestBody = streamed ? (streamed.body as unknown as Readable) : (req.body ?? null);
        this.agent.dispatch({ origin, path, method: req.method as Dispatcher.HttpMethod, headers, body: requestBody }, handler);
      } catch (error) {
        failed(error);
      }
    });
  }

  /** The origin and path of a request URL (the last one is kept: a run sends to one target). */
  private target(url: string): { origin: string; path: string } {
    if (this.lastTarget?.url !== url) {
      const parsed = new URL(url);
      this.lastTarget = { url, origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    }
    return this.lastTarget;
  }

  /** Counts, watches for refusals and reports one finished exchange. */
  private recorded(result: Exchange): Exchange {
    const { stopAfterRefusals } = this.options;
    if (stopAfterRefusals !== undefined) {
      this.refusals = result.error?.kind === 'refused' ? this.refusals + 1 : 0;
      if (this.refusals >= stopAfterRefusals) this.stop(`the target stopped accepting connections (refused ${this.refusals} times in a row)`);
    }
    this.options.onExchange?.(result);
    return result;
  }

}

/** The body as the exchange records it. */
function renamed(kept: CappedBody): { body: Buffer; bodyBytes: number; truncated: boolean } {
  return { body: kept.body, bodyBytes: kept.bytes, truncated: kept.truncated };
}

/**
 * Whether the target accepts connections at all (TCP, and TLS for https), before anything is sent. Resolves with
 * undefined when it does, or with a one-line reason when it does not.
 */
export async function unreachableReason(url: URL, timeoutMs: number, insecure = false): Promise<string | undefined> {
  const { connect: tcpConnect } = await import('node:net');
  const { connect: tlsConnect } = await import('node:tls');
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = secure
      ? tlsConnect({ host, port, servername: /^[\d.:]+$/.test(host) ? undefined : host, rejectUnauthorized: !insecure })
      : tcpConnect({ host, port });
    const done = (reason: string | undefined) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no connection within ${timeoutMs} ms`));
    socket.once(secure ? 'secureConnect' : 'connect', () => done(undefined));
    socket.once('error', (error) => {
      const kind = classify(error);
      const text = kind === 'refused' ? 'connection refused' : kind === 'dns' ? `cannot resolve ${host}` : describeError(error);
      done(kind === 'tls' ? `TLS handshake failed: ${describeError(error)}${insecure ? '' : ' (use --insecure for a self-signed test certificate)'}` : text);
    });
  });
}
