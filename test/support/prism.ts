/**
 * Prism (@stoplight/prism-cli, started by engine/prism.ts) as an independent validator of generated deliveries: the bundled
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
import { request as httpRequest, Agent } from 'node:http';
import path from 'node:path';
import { findPrism, startPrism as startPrismServer, type PrismServer } from '../../engine/prism.js';
import { freePort, isRunning } from '../../engine/server-process.js';
import { REPO_ROOT } from './paths.js';

/** The Prism bin file, run directly with this Node (no shell, no npx) so that the PID held is the server's. */
export const PRISM_BIN = findPrism()?.bin ?? path.join(REPO_ROOT, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');

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

export interface StartPrismOptions {
  /** How long Prism may take to accept connections. Default 60 s. */
  startTimeoutMs?: number;
  /** Extra arguments after the standard ones. */
  extraArgs?: string[];
}

/**
 * Starts `prism mock <specFile> --host 127.0.0.1 --port <free port> --errors` (engine/prism.ts: by PID, no shell) and
 * resolves once it accepts connections. Rejects with Prism's output when it exits or does not listen in time.
 */
export function startPrism(specFile: string, options: StartPrismOptions = {}): Promise<PrismServer> {
  return startPrismServer(specFile, { errors: true, startTimeoutMs: options.startTimeoutMs ?? 60_000, extraArgs: options.extraArgs ?? [] });
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

export { freePort, isRunning, type PrismServer };
