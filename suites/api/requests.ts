/**
 * The requests of an API contract run, per operation: valid ones (path and query parameters from their schemas,
 * a body from the request body schema), invalid bodies (a valid body broken against its schema, or cut short),
 * and the same valid request without credentials, with other credentials, or with a forged token.
 *
 * Values come from the generators: a parameter is generated as a property of an object whose property names are
 * the parameters' names in snake case (`sessionId` -> `session_id`), so the generators' realistic values apply
 * (session ids, user ids, Zoom-style ids). Everything is deterministic for (seed, operation).
 */
import fc from 'fast-check';
import { deriveSeed } from '../../generators/deliveries.js';
import { breakJson, breakSchema, SCHEMA_BREAKS } from '../../generators/invalid.js';
import { toJsonText, type JsonTree } from '../../generators/json-text.js';
import { ArbitraryBuilder, finalizeTree, VALID_POLICY, type Policy } from '../../generators/schema-arbitrary.js';
import { createWorld, type World } from '../../generators/world.js';
import type { HttpRequest } from '../../engine/http.js';
import type { ApiOperation, ApiParameter } from '../../specs/catalog.js';
import type { JsonSchema } from '../../specs/json-schema.js';

/** `GET /videosdk/sessions/{sessionId}`: how results, reproductions and `--operations` name an operation. */
export function operationLabel(operation: Pick<ApiOperation, 'method' | 'path'>): string {
  return `${operation.method.toUpperCase()} ${operation.path}`;
}

const READ_ONLY_METHODS = new Set(['get', 'head']);

/** Whether the operation only reads (GET, HEAD); any other method may change or delete state. */
export function isReadOnly(operation: Pick<ApiOperation, 'method'>): boolean {
  return READ_ONLY_METHODS.has(operation.method);
}

function base64url(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

/**
 * The bearer token sent when none is given: shaped like a JWT (header.payload.signature) but signed by nobody.
 * Right for mocks and fakes that accept any token; a real server answers it 401.
 */
export const PLACEHOLDER_TOKEN = [
  base64url('{"alg":"HS256","typ":"JWT"}'),
  base64url('{"iss":"zoom-conformance","sub":"placeholder","exp":4102444800}'),
  base64url('placeholder-signature-not-valid'),
].join('.');

/** A token of the same shape that no server issued: the given one with its signature (or last character) changed. */
export function forgedToken(token: string): string {
  const parts = token.split('.');
  const flip = (text: string) => {
    const at = Math.floor(text.length / 2);
    const char = text[at] ?? 'A';
    return `${text.slice(0, at)}${char === 'A' ? 'B' : 'A'}${text.slice(at + 1)}` || 'A';
  };
  if (parts.length === 3 && parts[2]!.length > 0) return `${parts[0]}.${parts[1]}.${flip(parts[2]!)}`;
  return flip(token);
}

export interface RequestPlan {
  /** `--examples` valid requests. */
  valid: HttpRequest[];
  /** Invalid bodies (operations with a JSON request body only). */
  invalidBodies: HttpRequest[];
  /** The first valid request without credentials, with Basic credentials, and with an empty bearer token. */
  withoutCredentials: HttpRequest[];
  /** The first valid request with a forged token (only when a real token was given). */
  forgedToken: HttpRequest[];
}

export interface PlanOptions {
  /** The base URL the spec's paths are appended to (`http://127.0.0.1:4010`, `https://api.zoom.us/v2`). */
  target: URL;
  seed: number;
  examples: number;
  token: string;
  /** Whether `token` is a real one (`--token`): only then is a forged one sent. */
  tokenGiven: boolean;
  userAgent: string;
}

interface Drawn {
  path: Record<string, JsonTree>;
  query: Record<string, JsonTree>;
  body: JsonTree | undefined;
}

/** Parameter values as a generated object: property names in snake case, so the generators know their roles. */
function parameterSchema(parameters: ApiParameter[]): { schema: JsonSchema; names: Map<string, ApiParameter> } {
  const names = new Map<string, ApiParameter>();
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const parameter of parameters) {
    const key = parameter.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    names.set(key, parameter);
    properties[key] = parameter.schema;
    if (parameter.required) required.push(key);
  }
  return { schema: { type: 'object', properties, required, additionalProperties: false }, names };
}

function drawArbitrary(operation: ApiOperation, builder: ArbitraryBuilder, world: World): fc.Arbitrary<Drawn> {
  const pick = (place: ApiParameter['in']) => parameterSchema(operation.parameters.filter((parameter) => parameter.in === place));
  const path = pick('path');
  const query = pick('query');
  const rename = (tree: JsonTree, names: Map<string, ApiParameter>) =>
    Object.fromEntries(Object.entries(tree as Record<string, JsonTree>).map(([key, value]) => [names.get(key)!.name, value]));
  const body = operation.requestBody;
  return fc
    .record(
      {
        path: builder.body(path.schema, ''),
        query: builder.body(query.schema, ''),
        body: body ? builder.body(body.schema, '', body.example) : fc.constant(undefined),
      },
      { noNullPrototype: true },
    )
    .map((drawn) => ({
      path: rename(finalizeTree(drawn.path, world).value, path.names),
      query: rename(finalizeTree(drawn.query, world).value, query.names),
      body: drawn.body === undefined ? undefined : finalizeTree(drawn.body, world).value,
    }));
}

function parameterText(value: JsonTree): string {
  return typeof value === 'string' ? value : toJsonText(value);
}

function urlOf(target: URL, operation: ApiOperation, drawn: Drawn): string {
  const route = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(parameterText(drawn.path[name] ?? '')));
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(drawn.query)) {
    if (Array.isArray(value)) for (const item of value) query.append(name, parameterText(item));
    else query.append(name, parameterText(value));
  }
  const search = query.toString();
  return `${target.href.replace(/\/+$/, '')}${route}${search ? `?${search}` : ''}`;
}

function request(operation: ApiOperation, url: string, headers: Record<string, string>, body: Buffer | undefined, label: string): HttpRequest {
  return {
    method: operation.method.toUpperCase(),
    url,
    headers: body ? { ...headers, 'content-type': operation.requestBody?.contentType ?? 'application/json' } : headers,
    ...(body ? { body } : {}),
    label,
  };
}

/** Invalid body bases show every optional field, so each kind of breakage finds a place. */
const FULL_POLICY: Policy = { ...VALID_POLICY, optional: 'all' };

/** The requests of one operation, deterministic for (seed, operation). */
export function planRequests(operation: ApiOperation, options: PlanOptions): RequestPlan {
  const label = operationLabel(operation);
  const world = createWorld(options.seed);
  const headers = { accept: 'application/json', 'user-agent': options.userAgent, authorization: `Bearer ${options.token}` };
  const drawnValid = fc.sample(drawArbitrary(operation, new ArbitraryBuilder(VALID_POLICY), world), {
    seed: deriveSeed(options.seed, 'api', label, 'valid'),
    numRuns: options.examples,
  });
  const bodyOf = (drawn: Drawn) => (drawn.body === undefined ? undefined : Buffer.from(toJsonText(drawn.body), 'utf8'));
  const valid = drawnValid.map((drawn, index) => request(operation, urlOf(options.target, operation, drawn), headers, bodyOf(drawn), `valid request ${index + 1}`));
  const first = drawnValid[0]!;
  const firstUrl = urlOf(options.target, operation, first);
  const { authorization: _authorization, ...anonymous } = headers;
  const withoutCredentials = [
    request(operation, firstUrl, anonymous, bodyOf(first), 'valid request without an Authorization header'),
    request(operation, firstUrl, { ...anonymous, authorization: `Basic ${Buffer.from('conformance:not-a-bearer-token').toString('base64')}` }, bodyOf(first), 'valid request with Basic credentials instead of a bearer token'),
    request(operation, firstUrl, { ...anonymous, authorization: 'Bearer' }, bodyOf(first), 'valid request with an empty bearer token'),
  ];
  const forged = options.tokenGiven
    ? [request(operation, firstUrl, { ...headers, authorization: `Bearer ${forgedToken(options.token)}` }, bodyOf(first), 'valid request with a forged token (the given one with its signature changed)')]
    : [];
  return { valid, invalidBodies: invalidBodies(operation, options, firstUrl, headers), withoutCredentials, forgedToken: forged };
}

function invalidBodies(operation: ApiOperation, options: PlanOptions, url: string, headers: Record<string, string>): HttpRequest[] {
  const body = operation.requestBody;
  if (!body) return [];
  const label = operationLabel(operation);
  const world = createWorld(options.seed);
  const seed = deriveSeed(options.seed, 'api', label, 'invalid');
  const [base] = fc.sample(new ArbitraryBuilder(FULL_POLICY).body(body.schema, '', body.example), { seed, numRuns: 1 }).map((tree) => finalizeTree(tree, world).value);
  const choice = fc.sample(fc.nat(1000), { seed, numRuns: SCHEMA_BREAKS.length + 1 });
  const out: HttpRequest[] = [];
  const seen = new Set<string>();
  SCHEMA_BREAKS.forEach((kind, index) => {
    const broken = breakSchema(kind, body.schema, base!, choice[index]!);
    if (!broken) return;
    const text = toJsonText(broken.value);
    if (seen.has(text)) return;
    seen.add(text);
    out.push(request(operation, url, headers, Buffer.from(text, 'utf8'), `invalid body (${broken.kind} at ${broken.path || '/'})`));
  });
  out.push(request(operation, url, headers, breakJson('json.truncated', base!, choice[SCHEMA_BREAKS.length]!), 'invalid body (json.truncated: not JSON)'));
  return out;
}
