/**
 * The delivery engine: sends HTTP requests to a target and records every exchange. It knows nothing of Zoom.
 *
 * - keep-alive connections (undici Agent), bounded concurrency (p-limit), and a burst mode that bypasses the bound;
 * - a per-request deadline covering connect, send and the response headers; the body is read within the same
 *   deadline and only up to a cap, so a slow, hanging or flooding target never hangs the run;
 * - every exchange is recorded: the request (method, URL, headers, exact body), the response (status, headers, body
 *   excerpt, size) or the failure (timeout, refused, reset, dns, tls), and the latency to the response headers.
 */
import { Agent, request } from 'undici';
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

export type FailureKind = 'timeout' | 'refused' | 'reset' | 'dns' | 'tls' | 'error';

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

export class HttpEngine {
  private readonly agent: Agent;
  private readonly slots: Slots;
  private readonly maxResponseBytes: number;
  private stopReason: string | undefined;
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

  /** Stops the engine: every later `send` throws EngineStopped with the reason. */
  stop(reason: string): void {
    this.stopReason ??= reason;
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
    this.sent++;
    this.bytesSent += req.body?.length ?? 0;
    const startedAt = Date.now();
    const start = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.deadlineMs);
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
      const { body, bytes, truncated } = await this.readCapped(response.body);
      result = {
        request: req,
        response: { status: response.statusCode, headers: flattenHeaders(response.headers), body, bodyBytes: bytes, truncated },
        startedAt,
        latencyMs,
      };
    } catch (error) {
      const latencyMs = performance.now() - start;
      const kind: FailureKind = controller.signal.aborted ? 'timeout' : classify(error);
      const message = kind === 'timeout' ? `no response within ${this.options.deadlineMs} ms` : describeError(error);
      result = { request: req, error: { kind, message }, startedAt, latencyMs };
    } finally {
      clearTimeout(timer);
    }
    const { stopAfterRefusals } = this.options;
    if (stopAfterRefusals !== undefined) {
      this.refusals = result.error?.kind === 'refused' ? this.refusals + 1 : 0;
      if (this.refusals >= stopAfterRefusals) this.stop(`the target stopped accepting connections (refused ${this.refusals} times in a row)`);
    }
    this.options.onExchange?.(result);
    return result;
  }

  /** Reads up to the cap; at the cap (or when the deadline aborts the stream) the rest is dropped. */
  private async readCapped(stream: AsyncIterable<Buffer> & { destroy(error?: Error): unknown }): Promise<{ body: Buffer; bytes: number; truncated: boolean }> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    try {
      for await (const chunk of stream) {
        const room = this.maxResponseBytes - bytes;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        bytes += Math.min(chunk.length, room);
        if (chunk.length >= room) {
          stream.destroy();
          return { body: Buffer.concat(chunks), bytes, truncated: true };
        }
      }
    } catch {
      // The deadline (or the peer) ended the body early: keep what arrived.
      return { body: Buffer.concat(chunks), bytes, truncated: true };
    }
    return { body: Buffer.concat(chunks), bytes, truncated: false };
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const record = current as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (typeof record.code === 'string') codes.push(record.code);
    if (typeof record.name === 'string') codes.push(record.name);
    if (Array.isArray(record.errors)) for (const inner of record.errors) codes.push(...errorCodes(inner));
    current = record.cause;
  }
  return codes;
}

function classify(error: unknown): FailureKind {
  const codes = errorCodes(error);
  if (codes.some((code) => code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL')) return 'refused';
  if (codes.some((code) => code === 'ENOTFOUND' || code === 'EAI_AGAIN')) return 'dns';
  if (codes.some((code) => code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT')) return 'timeout';
  if (codes.some((code) => code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED/.test(code))) return 'tls';
  if (codes.some((code) => code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')) return 'reset';
  return 'error';
}

function describeError(error: unknown): string {
  const codes = errorCodes(error).filter((code) => /^[A-Z_]+$/.test(code));
  const message = error instanceof Error ? error.message : String(error);
  return codes.length > 0 && !message.includes(codes[0]!) ? `${message} (${codes[0]})` : message;
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
