/**
 * The delivery engine: sends HTTP requests to a target and records every exchange. It knows nothing of Zoom.
 *
 * - keep-alive connections (undici Agent), bounded concurrency (p-limit), and a burst mode that bypasses the bound;
 * - copies on connections of their own, completed at the same instant, and requests abandoned once written
 *   (held-connections.ts), within the same bound and the same accounting;
 * - a per-request deadline covering connect, send and the response headers; the body is read within the same
 *   deadline and only up to a cap, so a slow, hanging or flooding target never hangs the run;
 * - every exchange is recorded: the request (method, URL, headers, exact body), the response (status, headers, body
 *   excerpt, size) or the failure (timeout, refused, reset, dns, tls), and the latency to the response headers.
 */
import { Agent, request } from 'undici';
import { classify, describeError, type FailureKind } from './failures.js';
import { sendAndAbandon, sendReleasedTogether, type HeldOptions } from './held-connections.js';
import { readCapped } from './response-body.js';
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
  /** The deadline controllers of the requests in flight (aborted by a stop that cuts them off). */
  private readonly inFlight = new Set<AbortController>();
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
   * overlap inside the receiver. See held-connections.ts.
   */
  async releasedTogether(requests: readonly HttpRequest[]): Promise<Exchange[]> {
    this.assertRunning();
    const taken = await this.slots.acquire(requests.length);
    try {
      this.assertRunning();
      this.count(requests);
      const exchanges = await this.held((signal) => sendReleasedTogether(requests, this.heldOptions(signal)));
      return exchanges.map((exchange) => this.recorded(exchange));
    } finally {
      this.slots.release(taken);
    }
  }

  /** Writes the request whole, then closes the connection before any answer (a sender giving up at its deadline). */
  async abandon(req: HttpRequest): Promise<Exchange> {
    this.assertRunning();
    const taken = await this.slots.acquire(1);
    try {
      this.assertRunning();
      this.count([req]);
      return this.recorded(await this.held((signal) => sendAndAbandon(req, this.heldOptions(signal))));
    } finally {
      this.slots.release(taken);
    }
  }

  /** Runs held-connection work that a stop cutting off requests in flight aborts (it then throws EngineStopped). */
  private async held<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    try {
      const result = await work(controller.signal);
      if (controller.signal.reason === STOPPED) throw new EngineStopped(this.stopReason!);
      return result;
    } finally {
      this.inFlight.delete(controller);
    }
  }

  private heldOptions(signal: AbortSignal): HeldOptions {
    return { deadlineMs: this.options.deadlineMs, maxResponseBytes: this.maxResponseBytes, signal, ...(this.options.insecure ? { insecure: true } : {}) };
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
    if (options.abortInFlight) for (const controller of this.inFlight) controller.abort(STOPPED);
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

  private async exchange(req: HttpRequest): Promise<Exchange> {
    this.assertRunning();
    this.count([req]);
    const startedAt = Date.now();
    const start = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.deadlineMs);
    this.inFlight.add(controller);
    let result: Exchange;
    try {
      const response = await request(req.url, {
        method: req.method as 'POST',
        headers: req.headers,
        body: req.body ?? null,
        dispatcher: this.agent,
        signal: controller.signal,
      });
      const latencyMs = performance.now() - start;
      const { body, bytes, truncated } = await readCapped(response.body, this.maxResponseBytes);
      result = {
        request: req,
        response: { status: response.statusCode, headers: flattenHeaders(response.headers), body, bodyBytes: bytes, truncated },
        startedAt,
        latencyMs,
      };
    } catch (error) {
      if (controller.signal.reason === STOPPED) throw new EngineStopped(this.stopReason!);
      const latencyMs = performance.now() - start;
      const kind: FailureKind = controller.signal.aborted ? 'timeout' : classify(error);
      const message = kind === 'timeout' ? `no response within ${this.options.deadlineMs} ms` : describeError(error);
      result = { request: req, error: { kind, message }, startedAt, latencyMs };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
    return this.recorded(result);
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

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
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
