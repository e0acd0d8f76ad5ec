/**
 * Prism (@stoplight/prism-cli, a devDependency) as an independent validator of generated deliveries: the bundled
 * webhook specs are rewritten into a shape Prism accepts, a `prism mock` server is started on 127.0.0.1, and raw
 * bodies are POSTed to it. Prism validates every request against the operation's request body schema with its own
 * stack (@stoplight/http-spec to read the document, ajv draft-07 + ajv-formats to validate), none of which the
 * project's generators or validator share.
 *
 * What Prism 5.14 needs (checked by reading its code in node_modules and by running it):
 *
 * - Operations under `paths`. Prism reads only `paths`; a document with nothing but a `webhooks` map is refused
 *   ("No operations found in the current file"). `webhooksAsPaths` moves each event `E` to path `/E`.
 * - Request validation is always on in `prism mock` (prism-cli util/createServer.js sets `validateRequest: true`
 *   for mock servers); an invalid request is answered 422 with a problem+json body listing the violations, unless
 *   the operation declares its own 422/400 response (ours do not). `--errors` additionally turns *response*
 *   violations into errors, so a mock response that broke its own spec could not pass as a 2xx.
 * - A 200 response Prism can mock: a response with only a description is answered 200 with an empty body and
 *   cannot violate anything. The bundled specs already declare `{"200": {"description": "Event acknowledged"}}`;
 *   `webhooksAsPaths` sets exactly that on every operation, whatever the input declares, so the mock's own
 *   answer is never what decides the status code.
 * - Formats: none of the schemas are changed. Prism's ajv runs with `strict: false` and a logger that silences
 *   "unknown format" warnings (prism-http validator/validators/utils.js), so formats it does not know (`int`,
 *   `string` and `email or name`, which Zoom's documents use) are ignored, as JSON Schema says unknown formats are
 *   annotations. Known formats are checked: `email` (ajv-formats), `date-time` (Prism's own, stricter than RFC
 *   3339 in no way that matters here) and `int64`, which @stoplight/http-spec turns into
 *   `minimum: -(2^53-1), maximum: 2^53-1` (so Zoom ids above 2^53, legal in Zoom's data, would be rejected; valid
 *   mode stays below 2^53).
 * - Schemas are validated as draft-07 (http-spec stamps `$schema: draft-07` unless the document sets
 *   `jsonSchemaDialect`); the bundled schemas use only keywords that mean the same in draft-07 and 2020-12 (type,
 *   properties, required, additionalProperties, items, enum, format, maxLength, anyOf, default, deprecated).
 *
 * Bodies: Prism (micri) reads a body only when the request has a non-zero Content-Length (or chunked encoding);
 * with `content-type: application/json` it decodes the bytes as UTF-8 *leniently* (Buffer#toString, invalid
 * sequences become U+FFFD) and answers 400 `{"error":{"code":"invalid_json"}}` when JSON.parse fails. An empty body
 * is "no body", which a required request body turns into a 422 ("Body parameter is required").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, Agent } from 'node:http';
import { createConnection, createServer } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

/** The Prism binary, run directly (no shell, no npx) so that the PID we hold is the server's. */
export const PRISM_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'prism');

const HOST = '127.0.0.1';

/** The one response every operation gets: description only, which Prism mocks as an empty 200. */
const ACKNOWLEDGED = { '200': { description: 'Event acknowledged' } } as const;

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * An OpenAPI 3.1 document for Prism: every webhook event `E` of `document.webhooks` becomes path `/E` with the
 * event's `post` operation, request body untouched (same object, same schema), responses replaced by a single
 * description-only 200. The `webhooks` map itself is left out (Prism ignores it; keeping it would only duplicate
 * the schemas). Throws when the document has no webhooks or an event has no `post`.
 */
export function webhooksAsPaths(document: Record<string, unknown>): Record<string, unknown> {
  const webhooks = asRecord(document.webhooks);
  const names = Object.keys(webhooks);
  if (names.length === 0) throw new Error('webhooksAsPaths: the document has no webhooks');
  const paths: Record<string, unknown> = {};
  for (const name of names) {
    // Event names are used verbatim as path segments; anything that would need encoding, or that Prism would read
    // as a path template (`{...}`), would silently route elsewhere, so refuse it.
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`webhooksAsPaths: event name ${JSON.stringify(name)} cannot be a path segment`);
    const post = asRecord(asRecord(webhooks[name]).post);
    if (!post.requestBody) throw new Error(`webhooksAsPaths: event ${name} has no post operation with a request body`);
    paths[`/${name}`] = { post: { ...post, responses: ACKNOWLEDGED } };
  }
  const { webhooks: _webhooks, paths: _paths, ...rest } = document;
  return { ...rest, openapi: typeof document.openapi === 'string' ? document.openapi : '3.1.0', paths };
}

export interface PrismServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  pid: number;
  /** Everything Prism wrote so far (the tail of it), for diagnostics. */
  output(): string;
  /** Kills the server by PID (SIGTERM, then SIGKILL) and waits until it has exited. */
  stop(): Promise<void>;
}

export interface StartPrismOptions {
  /** How long Prism may take to accept connections. Default 60 s. */
  startTimeoutMs?: number;
  /** Extra arguments after the standard ones. */
  extraArgs?: string[];
}

/** A port that was free a moment ago: bind port 0 on 127.0.0.1, read it, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((error) => (error ? reject(error) : port > 0 ? resolve(port) : reject(new Error('could not read the bound port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Keeps the last `limit` characters written to a stream. */
function tail(limit: number) {
  let text = '';
  return {
    push(chunk: string) {
      text += chunk;
      if (text.length > limit) text = text.slice(text.length - limit);
    },
    get text() {
      return text;
    },
  };
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `prism mock <specFile> -h 127.0.0.1 -p <free port> --errors` and resolves once it accepts connections.
 * Rejects with Prism's output when it exits or does not listen within the timeout (the process is then killed).
 */
export async function startPrism(specFile: string, options: StartPrismOptions = {}): Promise<PrismServer> {
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  // The port can be taken between freePort() and Prism's bind; retry on that one failure only.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(specFile, await freePort(), startTimeoutMs, options.extraArgs ?? []);
    } catch (error) {
      if (attempt >= 3 || !/EADDRINUSE/.test((error as Error).message)) throw error;
    }
  }
}

async function startOnce(specFile: string, port: number, startTimeoutMs: number, extraArgs: string[]): Promise<PrismServer> {
  const args = ['mock', specFile, '-h', HOST, '-p', String(port), '--errors', ...extraArgs];
  const child = spawn(PRISM_BIN, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Drain both streams always: Prism logs every request, and a full pipe would block it.
  const stdout = tail(64 * 1024);
  const stderr = tail(64 * 1024);
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const pid = child.pid;

  // Safety net: if the test runner exits without calling stop(), do not leave the server behind.
  const killOnExit = () => {
    if (pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
        if (!(await waitForExit(child, 5000))) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
          if (!(await waitForExit(child, 5000))) throw new Error(`prism (pid ${pid}) did not exit after SIGKILL`);
        }
      }
      process.off('exit', killOnExit);
    })();
    return stopping;
  };
  const describe = () => `prism ${args.join(' ')}\n--- stderr ---\n${stderr.text}\n--- stdout ---\n${stdout.text}`;

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (spawnError) {
      await stop();
      throw new Error(`prism could not be started: ${spawnError.message}\n${describe()}`);
    }
    if (pid === undefined || child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`prism exited before listening (code ${child.exitCode}, signal ${child.signalCode})\n${describe()}`);
    }
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prism did not accept connections on ${HOST}:${port} within ${startTimeoutMs} ms\n${describe()}`);
    }
    await delay(150);
  }
  return { url: `http://${HOST}:${port}`, pid, output: () => `${stderr.text}${stdout.text}`, stop };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/**
 * POSTs exactly `body` (no re-encoding) with `content-type: application/json` and an exact Content-Length
 * (0 for an empty body, which Prism then reads as "no body").
 */
export function postRaw(url: string, body: Buffer, timeoutMs = 30_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': String(body.length), accept: 'application/json' },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Closes the keep-alive sockets of postRaw (call once the servers are stopped or no longer used). */
export function closeConnections(): void {
  agent.destroy();
}

export { isRunning };
