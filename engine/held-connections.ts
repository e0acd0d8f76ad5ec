/**
 * A request on a connection of its own, for the one timing the pooled engine cannot give: **abandoned**, the request
 * written whole, then the connection closed before any answer, as a sender that gives up at its deadline does.
 * (Copies released together go through the pool: engine/http.ts `releasedTogether`.)
 *
 * The exchange is recorded as the pooled engine records exchanges (failures classified). It knows nothing of Zoom.
 */
import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { classify, describeError } from './failures.js';
import type { Exchange, HttpRequest } from './http.js';

export interface HeldOptions {
  deadlineMs: number;
  insecure?: boolean;
  /** Aborted when the run is stopped from outside: the connections are closed at once. */
  signal?: AbortSignal;
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
