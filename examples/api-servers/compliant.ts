/**
 * A fake of the Zoom Video SDK REST API on plain Node `http`, built from the bundled spec: the kind of fake a team
 * keeps for its tests, and one that passes every `conformance api` check.
 *
 * For each request, in order:
 *   1. Routes it: an unknown path is 404, a known path with another method 405.
 *   2. Authenticates it (unless the operation is public): `Authorization: Bearer <the token it was given>`,
 *      compared in constant time; anything else is 401 with Zoom's error body.
 *   3. Validates it: query parameters against their schemas, the JSON body against the request body schema
 *      (400 with the violations, as Zoom answers "Validation Failed").
 *   4. Answers with the operation's first declared 2xx: its example as `application/json; charset=utf-8`, or no
 *      body where the spec declares none (204).
 *
 * Run it: `ZOOM_API_TOKEN=... node dist/examples/api-servers/compliant.js [--port N] [--host H]`; point the
 * client's Zoom API base URL (https://api.zoom.us/v2) at the URL it prints.
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { loadBundledSpec, type ApiOperation, type ApiParameter } from '../../specs/catalog.js';
import type { JsonSchema } from '../../specs/json-schema.js';
import { SchemaValidator } from '../../specs/schema-validator.js';
import { isMainModule, parseListenArguments, stopOnSignals, usageError } from '../receivers/command-line.js';

export const TOKEN_ENV = 'ZOOM_API_TOKEN';
const MAX_BODY_BYTES = 1024 * 1024;

/** What the fake answers: a status and, optionally, a JSON value. */
export interface Answer {
  status: number;
  body?: unknown;
}

/** The steps a fake takes; the faulty variants (faulty.ts) replace one each. */
export interface FakeSteps {
  /** Whether the Authorization header carries the fake's token. */
  authorized(header: string | undefined, token: string): boolean;
  /** The answer to a request that passed routing, authentication and validation. */
  answerValid(operation: ApiOperation, body: unknown): Answer;
  /** The Content-Type of a JSON answer. */
  jsonContentType: string;
}

/** The operation's first declared 2xx, with its example (or no body where none is declared). */
export function successAnswer(operation: ApiOperation): Answer {
  const success = operation.responses.find((response) => /^2\d\d$/.test(response.status)) ?? { status: '200' };
  const status = Number(success.status);
  if (!('content' in success) || !success.content) return { status };
  return { status, body: success.content.example ?? {} };
}

export const COMPLIANT_STEPS: FakeSteps = {
  authorized(header, token) {
    const match = /^Bearer ([^\s]+)$/.exec(header ?? '');
    if (!match) return false;
    const given = Buffer.from(match[1]!, 'utf8');
    const expected = Buffer.from(token, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  },
  answerValid: (operation) => successAnswer(operation),
  jsonContentType: 'application/json; charset=utf-8',
};

interface Route {
  operation: ApiOperation;
  pattern: RegExp;
  names: string[];
}

function routesOf(operations: readonly ApiOperation[]): Route[] {
  return operations.map((operation) => {
    const names: string[] = [];
    const source = operation.path
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const name = /^\{([^}]+)\}$/.exec(part)?.[1];
        if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(name);
        return '([^/]+)';
      })
      .join('');
    return { operation, pattern: new RegExp(`^${source}$`), names };
  });
}

/** A query value as its schema's type, so `page_size=30` validates as an integer. */
function coerce(value: string, schema: JsonSchema): unknown {
  const type = Array.isArray(schema.type) ? schema.type.find((item) => item !== 'null') : schema.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function queryProblems(parameters: ApiParameter[], query: URLSearchParams, validator: SchemaValidator): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  for (const parameter of parameters) {
    if (parameter.in !== 'query') continue;
    const value = query.get(parameter.name);
    if (value === null) {
      if (parameter.required) problems.push({ field: parameter.name, message: 'is required' });
      continue;
    }
    for (const problem of validator.validate(parameter.schema, coerce(value, parameter.schema))) problems.push({ field: parameter.name, message: problem.message });
  }
  return problems;
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, answer: Answer, jsonContentType: string): void {
  if (answer.body === undefined) {
    res.writeHead(answer.status).end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': jsonContentType, 'content-length': Buffer.byteLength(text) }).end(text);
}

const validationFailed = (errors: { field: string; message: string }[]): Answer => ({ status: 400, body: { code: 300, message: 'Validation Failed.', errors } });

export interface ApiFakeOptions {
  /** The only bearer token it accepts. Never log it. */
  token: string;
}

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** The fake's request handler, with the given steps. */
export function createApiFakeHandler(options: ApiFakeOptions, steps: FakeSteps = COMPLIANT_STEPS): RequestHandler {
  const operations = loadBundledSpec('video-sdk-api').operations;
  const routes = routesOf(operations);
  const validator = new SchemaValidator();
  const handle = async (req: http.IncomingMessage): Promise<Answer> => {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const matching = routes.filter((route) => route.pattern.test(url.pathname));
    if (matching.length === 0) return { status: 404, body: { code: 404, message: 'Not found.' } };
    const route = matching.find((candidate) => candidate.operation.method === (req.method ?? '').toLowerCase());
    if (!route) return { status: 405, body: { code: 405, message: 'Method not allowed.' } };
    const { operation } = route;
    if (!operation.public && !steps.authorized(req.headers.authorization, options.token)) {
      return { status: 401, body: { code: 124, message: 'Invalid access token.' } };
    }
    const problems = queryProblems(operation.parameters, url.searchParams, validator);
    if (problems.length > 0) return validationFailed(problems);
    const raw = await readBody(req);
    if (raw === undefined) return { status: 413, body: { code: 413, message: 'Request body too large.' } };
    let body: unknown;
    if (operation.requestBody) {
      if (raw.length === 0) {
        if (operation.requestBody.required) return validationFailed([{ field: 'body', message: 'is required' }]);
      } else {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return validationFailed([{ field: 'body', message: 'is not JSON' }]);
        }
        const violations = validator.validate(operation.requestBody.schema, body);
        if (violations.length > 0) return validationFailed(violations.map((problem) => ({ field: problem.path, message: problem.message })));
      }
    }
    return steps.answerValid(operation, body);
  };
  return (req, res) => {
    handle(req).then(
      (answer) => send(res, answer, steps.jsonContentType),
      (error: unknown) => {
        process.stderr.write(`zoom api fake: ${error instanceof Error ? error.message : String(error)}\n`);
        if (!res.headersSent) send(res, { status: 500, body: { code: 500, message: 'Internal error.' } }, COMPLIANT_STEPS.jsonContentType);
      },
    );
  };
}

/** The fake as an `http.Server`, not yet listening. */
export function createApiFake(options: ApiFakeOptions, steps: FakeSteps = COMPLIANT_STEPS): http.Server {
  return http.createServer(createApiFakeHandler(options, steps));
}

/** The token from the environment; a missing one is a usage error. The value is never printed. */
export function readToken(): string {
  const token = process.env[TOKEN_ENV];
  if (!token) usageError(`${TOKEN_ENV} is not set: export the bearer token the fake should accept`);
  return token;
}

/** Listens, then prints exactly one line to stdout: `<label> listening on http://<host>:<port>`. */
export function listenAndAnnounce(server: http.Server, options: { port: number; host: string; label: string }): void {
  server.once('error', (error: NodeJS.ErrnoException) => usageError(`cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}`));
  server.listen(options.port, options.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    process.stdout.write(`${options.label} listening on http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}\n`);
  });
}

if (isMainModule(import.meta.url)) {
  const { port, host } = parseListenArguments(process.argv.slice(2));
  const server = createApiFake({ token: readToken() });
  listenAndAnnounce(server, { port, host, label: 'Zoom API fake' });
  stopOnSignals(server);
}
