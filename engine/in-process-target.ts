/**
 * In-process targets: a request handler of the caller's own process, served on an ephemeral loopback port for the
 * length of a run, so that everything else (exact raw bytes, deadlines, held and abandoned connections, the engine)
 * stays exactly as for a URL. It knows nothing of Zoom.
 *
 * Two kinds of handler:
 * - a Node request listener `(req, res) => void`: an Express app, Koa's `app.callback()`, Fastify's `routing`, or an
 *   `http.Server` (its 'request' listeners);
 * - a fetch handler `(request: Request) => Response | Promise<Response>`: Hono's `app.fetch`, a Next.js route
 *   handler, or any object with a `fetch` method (a Hono app itself). Each request's bytes reach it unchanged: the
 *   body is read whole into the Request; the Request's `signal` is aborted when the sender hangs up before the
 *   answer; the Response is streamed back as it is (status, headers, every Set-Cookie, body).
 *
 * A handler that throws (or whose promise rejects) is answered 500 with the error in the body, as a framework
 * would, so the run records the failure and the report shows what was thrown; nothing reaches the process's
 * uncaught-exception handlers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => unknown;
export type FetchHandler = (request: Request) => Response | Promise<Response>;

export type InProcessHandler = { kind: 'listener'; listener: RequestListener; description: string } | { kind: 'fetch'; fetch: FetchHandler; description: string };

/**
 * What a target value is, when it is not a URL: a function of two or more parameters is a request listener (an
 * Express app declares three), of one (or none) a fetch handler; an object with a `fetch` method is a fetch handler;
 * an `http.Server` is served through its 'request' listeners. Undefined for anything else.
 */
export function inProcessHandler(target: unknown): InProcessHandler | undefined {
  if (typeof target === 'function') {
    const fn = target as (...args: unknown[]) => unknown;
    return fn.length >= 2
      ? { kind: 'listener', listener: fn as RequestListener, description: 'in-process request listener' }
      : { kind: 'fetch', fetch: fn as FetchHandler, description: 'in-process fetch handler' };
  }
  if (target instanceof http.Server) {
    return { kind: 'listener', listener: (req, res) => target.emit('request', req, res), description: 'in-process http.Server' };
  }
  if (target !== null && typeof target === 'object' && typeof (target as { fetch?: unknown }).fetch === 'function') {
    const owner = target as { fetch: FetchHandler };
    return { kind: 'fetch', fetch: (request) => owner.fetch(request), description: 'in-process fetch handler' };
  }
  return undefined;
}

export interface ServedTarget {
  /** `http://127.0.0.1:<port><path>` */
  url: URL;
  /** Stops listening and closes every connection; resolves once the server is closed. */
  close(): Promise<void>;
}

/** Serves the handler on 127.0.0.1, a free port, until `close`. `path` is the path (and query) the target URL ends with. */
export async function serveInProcess(handler: InProcessHandler, path = '/'): Promise<ServedTarget> {
  const server = http.createServer(handler.kind === 'listener' ? guardedListener(handler.listener) : fetchListener(handler.fetch));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: new URL(path, `http://127.0.0.1:${port}`),
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** A listener whose throw or rejected promise is answered 500 (or ends the connection when the answer has begun). */
function guardedListener(listener: RequestListener): http.RequestListener {
  return (req, res) => {
    let returned: unknown;
    try {
      returned = listener(req, res);
    } catch (error) {
      failed(res, 'the request listener threw', error);
      return;
    }
    if (isThenable(returned)) returned.then(undefined, (error: unknown) => failed(res, 'the request listener rejected', error));
  };
}

function fetchListener(fetch: FetchHandler): http.RequestListener {
  return (req, res) => {
    answerWithFetch(fetch, req, res).catch((error: unknown) => failed(res, 'the fetch handler failed', error));
  };
}

async function answerWithFetch(fetch: FetchHandler, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  // Listening from the start: a sender that hangs up right after its last byte (an abandoned attempt) is seen.
  const hungUp = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) hungUp.abort();
  });
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const headers = new Headers();
  for (let index = 0; index + 1 < req.rawHeaders.length; index += 2) headers.append(req.rawHeaders[index]!, req.rawHeaders[index + 1]!);
  const method = req.method ?? 'GET';
  // A GET or HEAD Request cannot carry a body: those are handed over without one.
  const request = new Request(requestUrl(req), { method, headers, signal: hungUp.signal, ...(method === 'GET' || method === 'HEAD' ? {} : { body }) });
  let response: unknown;
  try {
    response = await fetch(request);
  } catch (error) {
    failed(res, 'the fetch handler threw', error);
    return;
  }
  if (!(response instanceof Response)) {
    failed(res, 'the fetch handler did not return a Response', new TypeError(`it returned ${response === null ? 'null' : typeof response}`));
    return;
  }
  await writeResponse(response, res);
}

/** The request's URL as the handler would see it behind a server: its Host (when it is a valid one), its path and query. */
function requestUrl(req: http.IncomingMessage): URL {
  const path = req.url ?? '/';
  try {
    return new URL(path, `http://${req.headers.host ?? '127.0.0.1'}`);
  } catch {
    return new URL(path, 'http://127.0.0.1');
  }
}

async function writeResponse(response: Response, res: http.ServerResponse): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (!response.body) {
    res.end();
    return;
  }
  for await (const chunk of response.body) {
    // The sender went away: stop reading (leaving the loop cancels the stream).
    if (res.destroyed) return;
    if (!res.write(chunk)) await new Promise<void>((resolve) => {
      res.once('drain', resolve);
      res.once('close', resolve);
    });
  }
  res.end();
}

/** Answers 500 with the error in the body, or ends the connection when the answer has already begun. */
function failed(res: http.ServerResponse, what: string, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = `${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) }).end(text);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}
