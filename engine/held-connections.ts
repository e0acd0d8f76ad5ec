/**
 * Requests on connections of their own, for the two timings the pooled engine cannot give:
 *
 * - **released together** (last-byte synchronization): every request gets a connection of its own (an idle one kept
 *   alive from earlier copies, or a new one), and everything but the last byte of its body is written and flushed first; once every connection holds its request, the last bytes
 *   are written in the same tick. The receiver completes reading all of them within microseconds of each other, so
 *   copies really overlap inside it (a check-then-act across an `await` is hit every time);
 * - **abandoned**: the request is written whole, then the connection is closed before any answer, as a sender that
 *   gives up at its deadline does.
 *
 * Exchanges are recorded as the pooled engine records them (status, headers, body up to a cap, latency from the
 * moment the request was complete, failures classified). It knows nothing of Zoom.
 */
import http from 'node:http';
import https from 'node:https';
import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { classify, describeError } from './failures.js';
import type { Exchange, HttpRequest } from './http.js';
import { flattenHeaders, readCapped } from './response-body.js';

export interface HeldOptions {
  deadlineMs: number;
  /**
   * Where copies released together find idle connections of earlier copies (`heldAgents`); without it every copy
   * opens a connection and closes it after the answer.
   */
  agents?: HeldAgents;
  maxResponseBytes: number;
  insecure?: boolean;
  /** Aborted when the run is stopped from outside: the connections are closed at once. */
  signal?: AbortSignal;
}

/** One request on its own connection, written up to its last byte, waiting for `release`. */
interface Held {
  /** Resolves once the connection is open and holds everything but the last byte (or has failed). */
  ready: Promise<void>;
  release(): void;
  /** The exchange, once answered, failed or timed out after the release. */
  done: Promise<Exchange>;
}

/** Idle connections of copies released together, kept for the next copies (one per copy in flight at most). */
export interface HeldAgents {
  http: http.Agent;
  https: https.Agent;
  /** Closes every connection kept. */
  destroy(): void;
}

/**
 * Agents that keep a copy's connection for the next copies: a fuzz releases copies together many times a second, and
 * a connection set up and torn down for each copy costs this process and the receiver more than the copy itself. An
 * idle connection is closed after a second (below the keep-alive timeouts receivers use, 2 to 5 s and more, and any
 * shorter `Keep-Alive: timeout` a receiver announces is honoured), so a receiver does not close one as it is reused.
 */
export function heldAgents(): HeldAgents {
  const options = { keepAlive: true, timeout: IDLE_CONNECTION_MS };
  const agents = { http: new http.Agent(options), https: new https.Agent(options) };
  return { ...agents, destroy: () => (agents.http.destroy(), agents.https.destroy()) };
}

/** How long an idle connection of held copies is kept. */
const IDLE_CONNECTION_MS = 1000;

function clientRequest(request: HttpRequest, body: Buffer, options: HeldOptions): http.ClientRequest {
  const url = new URL(request.url);
  const headers = { ...request.headers, 'content-length': String(body.length) };
  if (request.body === undefined && body.length === 0) delete (headers as Record<string, string>)['content-length'];
  const secure = url.protocol === 'https:';
  const agent = options.agents ? (secure ? options.agents.https : options.agents.http) : false;
  const common = { method: request.method, headers, agent };
  return secure ? https.request(url, { ...common, rejectUnauthorized: !options.insecure }) : http.request(url, common);
}

function hold(request: HttpRequest, options: HeldOptions): Held {
  const body = request.body ?? Buffer.alloc(0);
  const head = body.subarray(0, Math.max(0, body.length - 1));
  const last = body.subarray(head.length);
  const client = clientRequest(request, body, options);
  const startedAt = Date.now();
  let start = performance.now();
  let timedOut = false;
  let timer = setTimeout(() => expire(), options.deadlineMs);
  const expire = () => {
    timedOut = true;
    client.destroy(new Error(`no response within ${options.deadlineMs} ms`));
  };
  let failed = false;
  options.signal?.addEventListener('abort', () => client.destroy(new Error('stopped')), { once: true });
  const done = new Promise<Exchange>((resolve) => {
    const finish = (exchange: Omit<Exchange, 'request' | 'startedAt'>) => {
      clearTimeout(timer);
      resolve({ request, startedAt, ...exchange });
    };
    client.once('response', (response) => {
      const latencyMs = performance.now() - start;
      void readCapped(response, options.maxResponseBytes).then(({ body: received, bytes, truncated }) => {
        finish({ response: { status: response.statusCode ?? 0, headers: flattenHeaders(response.headers), body: received, bodyBytes: bytes, truncated }, latencyMs });
      });
    });
    client.once('error', (error) => {
      failed = true;
      const kind = timedOut ? 'timeout' : classify(error);
      finish({ error: { kind, message: kind === 'timeout' ? `no response within ${options.deadlineMs} ms` : describeError(error) }, latencyMs: performance.now() - start });
    });
  });
  const ready = new Promise<void>((resolve) => {
    client.once('error', () => resolve());
    // A write's callback runs once its bytes were handed to the open connection (it waits for the connect).
    if (head.length > 0) client.write(head, () => resolve());
    else {
      client.flushHeaders();
      client.once('socket', (socket) => (socket.connecting ? socket.once('connect', () => resolve()) : resolve()));
    }
  });
  return {
    ready,
    release() {
      if (failed) return;
      clearTimeout(timer);
      start = performance.now();
      timer = setTimeout(expire, options.deadlineMs);
      client.end(last);
    },
    done,
  };
}

/**
 * Sends the requests on connections of their own and completes them at the same instant: each is written but for
 * its last byte, and once all are held, the last bytes go out in one tick. Resolves with the exchanges in order.
 */
export async function sendReleasedTogether(requests: readonly HttpRequest[], options: HeldOptions): Promise<Exchange[]> {
  const held = requests.map((request) => hold(request, options));
  await Promise.all(held.map((entry) => entry.ready));
  for (const entry of held) entry.release();
  return Promise.all(held.map((entry) => entry.done));
}

/**
 * Writes the request whole on a connection of its own and closes the connection in the same step (the last bytes go
 * out with the FIN), before any answer: the receiver gets every byte, the sender never learns what became of it,
 * however busy this process is. The exchange has no response and the error kind `abandoned`.
 */
export function sendAndAbandon(request: HttpRequest, options: HeldOptions): Promise<Exchange> {
  const url = new URL(request.url);
  const secure = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (secure ? 443 : 80));
  const bytes = requestBytes(request, url);
  const startedAt = Date.now();
  const start = performance.now();
  return new Promise<Exchange>((resolve) => {
    let settled = false;
    const finish = (error: NonNullable<Exchange['error']>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ request, startedAt, error, latencyMs: performance.now() - start });
    };
    const socket = secure
      ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: !options.insecure })
      : netConnect({ host, port });
    const timer = setTimeout(() => finish({ kind: 'timeout', message: `the request could not be written within ${options.deadlineMs} ms` }), options.deadlineMs);
    options.signal?.addEventListener('abort', () => finish({ kind: 'error', message: 'stopped' }), { once: true });
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      // end(): the request, then the FIN, handed to the kernel together.
      socket.end(bytes, () => finish({ kind: 'abandoned', message: 'the sender closed the connection with the last byte of the request, before any answer' }));
    });
    socket.once('error', (error) => finish({ kind: classify(error), message: describeError(error) }));
  });
}

/** The request as HTTP/1.1 bytes: request line, Host, the headers, an exact Content-Length, `connection: close`, the body. */
function requestBytes(request: HttpRequest, url: URL): Buffer {
  const body = request.body ?? Buffer.alloc(0);
  const headers: Record<string, string> = { host: url.host, ...request.headers, 'content-length': String(body.length), connection: 'close' };
  const lines = [`${request.method} ${url.pathname}${url.search} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`header ${JSON.stringify(name)} holds a line break`);
    lines.push(`${name}: ${value}`);
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}
