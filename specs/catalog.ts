/**
 * The catalog: loads any spec (a bundled Zoom spec by system name, or a user file by path) and lists its
 * webhook events and REST operations with their schemas.
 *
 * Two shapes of webhook document are accepted: OpenAPI 3.1's top-level `webhooks` map, and the shape of Zoom's
 * own downloadable files, where each event is a key of `paths` named after the bare event (`meeting.started`,
 * no leading slash). Keys of `paths` that start with `/` are REST operations.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { JsonSchema } from './json-schema.js';

export const BUNDLED_SPECS = {
  meetings: 'meetings.webhooks.json',
  'video-sdk': 'video-sdk.webhooks.json',
  qss: 'qss.webhooks.json',
  rtms: 'rtms.webhooks.json',
  'video-sdk-api': 'video-sdk.api.json',
} as const;

export type BundledSystem = keyof typeof BUNDLED_SPECS;
export const BUNDLED_SYSTEMS = Object.keys(BUNDLED_SPECS) as BundledSystem[];
/** The bundled systems that describe webhook events (the REST API is the fifth). */
export const WEBHOOK_SYSTEMS: readonly BundledSystem[] = ['meetings', 'video-sdk', 'qss', 'rtms'];

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/** A problem with a spec file: reported as one line naming the file, exit code 2. */
export class SpecError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'SpecError';
  }
}

export interface BodyContent {
  contentType: string;
  schema: JsonSchema;
  example?: unknown;
}

export interface WebhookEvent {
  system: string;
  name: string;
  tags: string[];
  deprecated: boolean;
  body: BodyContent;
}

export interface ApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export interface ApiResponse {
  status: string;
  content?: BodyContent;
}

export interface ApiOperation {
  system: string;
  method: string;
  path: string;
  operationId?: string;
  summary?: string;
  tags: string[];
  deprecated: boolean;
  parameters: ApiParameter[];
  requestBody?: BodyContent & { required: boolean };
  responses: ApiResponse[];
  /** True when the operation needs no authentication (an empty security requirement applies). */
  public: boolean;
}

export interface Spec {
  /** The system name: a bundled name, or the user file's base name. */
  system: string;
  /** Where the spec came from: `bundled:<system>` or the user file's path. */
  source: string;
  /** The dereferenced OpenAPI document. */
  document: Record<string, unknown>;
  /** The document's server URLs. */
  servers: string[];
  events: WebhookEvent[];
  operations: ApiOperation[];
}

let bundledDirectory: string | undefined;

/** The folder holding the bundled specs, found by walking up from this module (works from source and dist). */
export function bundledSpecDir(): string {
  if (bundledDirectory) return bundledDirectory;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'specs', 'zoom');
    if (existsSync(path.join(candidate, BUNDLED_SPECS.meetings))) return (bundledDirectory = candidate);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('bundled specs not found: the package is incomplete (specs/zoom is missing)');
    dir = parent;
  }
}

export function isBundledSystem(name: string): name is BundledSystem {
  return Object.hasOwn(BUNDLED_SPECS, name);
}

const bundledCache = new Map<BundledSystem, Spec>();

/** Loads a bundled spec by system name. Bundled specs are validated by the project's tests, not at run time. */
export function loadBundledSpec(system: string): Spec {
  if (!isBundledSystem(system)) {
    throw new SpecError(system, `unknown system (known: ${BUNDLED_SYSTEMS.join(', ')})`);
  }
  const cached = bundledCache.get(system);
  if (cached) return cached;
  const file = path.join(bundledSpecDir(), BUNDLED_SPECS[system]);
  const document = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const spec = specFromDocument(document, `bundled:${system}`, system);
  bundledCache.set(system, spec);
  return spec;
}

/**
 * Loads a user spec file (JSON or YAML): checks that it is an OpenAPI 3.x document, resolves its local
 * `$ref`s, and lists its events and operations. Throws SpecError with a one-line problem otherwise.
 */
export async function loadSpecFile(file: string, system = defaultSystemName(file)): Promise<Spec> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SpecError(file, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a spec file' : `cannot be read (${code ?? (error as Error).message})`);
  }
  return specFromText(text, file, system);
}

export async function specFromText(text: string, file: string, system = defaultSystemName(file)): Promise<Spec> {
  let parsed: unknown;
  const looksLikeYaml = /\.ya?ml$/i.test(file);
  if (looksLikeYaml) {
    const { parse } = await import('yaml');
    try {
      parsed = parse(text);
    } catch (error) {
      throw new SpecError(file, `not valid YAML (${firstLine((error as Error).message)})`);
    }
  } else {
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new SpecError(file, `not valid JSON (${firstLine((error as Error).message)})`);
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SpecError(file, 'not an OpenAPI document (the top level is not an object)');
  }
  const version = (parsed as Record<string, unknown>).openapi;
  if (typeof version !== 'string') {
    const swagger = (parsed as Record<string, unknown>).swagger;
    throw new SpecError(
      file,
      swagger ? 'a Swagger 2.0 document; convert it to OpenAPI 3.x first' : 'not an OpenAPI document (no "openapi" version field)',
    );
  }
  if (!/^3\.[01]\.\d+$/.test(version)) throw new SpecError(file, `OpenAPI version ${version} is not supported (3.0.x or 3.1.x)`);
  // Zoom's downloadable files key events by bare name under `paths`, which the OpenAPI schema does not allow
  // (path keys start with "/"). Validate with those keys prefixed, then give them their names back.
  const { document: validatable, renamed } = prefixEventPaths(parsed as Record<string, unknown>);
  const validator = new Validator();
  const result = await validator.validate(validatable);
  if (!result.valid) {
    throw new SpecError(file, `not a valid OpenAPI ${version} document (${describeValidationError(result.errors)})`);
  }
  let document: Record<string, unknown>;
  try {
    document = unprefixEventPaths(validator.resolveRefs() as Record<string, unknown>, renamed);
  } catch (error) {
    throw new SpecError(file, `cannot resolve $ref (${firstLine((error as Error).message)})`);
  }
  const spec = specFromDocument(document, file, system);
  if (spec.events.length === 0 && spec.operations.length === 0) {
    throw new SpecError(file, 'describes no webhook events (no "webhooks" map, no event-named "paths") and no operations');
  }
  return spec;
}

function prefixEventPaths(document: Record<string, unknown>): { document: Record<string, unknown>; renamed: Set<string> } {
  const paths = asRecord(document.paths);
  const renamed = new Set(Object.keys(paths).filter((key) => !key.startsWith('/')));
  if (renamed.size === 0) return { document, renamed };
  const prefixed = Object.fromEntries(Object.entries(paths).map(([key, item]) => [renamed.has(key) ? `/${key}` : key, item]));
  return { document: { ...document, paths: prefixed }, renamed };
}

function unprefixEventPaths(document: Record<string, unknown>, renamed: Set<string>): Record<string, unknown> {
  if (renamed.size === 0) return document;
  const paths = asRecord(document.paths);
  const restored = Object.fromEntries(
    Object.entries(paths).map(([key, item]) => [key.startsWith('/') && renamed.has(key.slice(1)) ? key.slice(1) : key, item]),
  );
  return { ...document, paths: restored };
}

function defaultSystemName(file: string): string {
  return path.basename(file).replace(/\.(json|ya?ml)$/i, '').replace(/\.webhooks$/, '');
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

function describeValidationError(errors: unknown): string {
  const first = Array.isArray(errors) ? (errors[0] as { instancePath?: string; message?: string } | undefined) : undefined;
  if (!first) return 'it does not match the OpenAPI schema';
  return `${first.instancePath || '/'} ${first.message ?? 'is invalid'}`;
}

/** Lists the events and operations of an (already dereferenced) OpenAPI document. */
export function specFromDocument(document: Record<string, unknown>, source: string, system: string): Spec {
  const events: WebhookEvent[] = [];
  const operations: ApiOperation[] = [];
  const webhooks = asRecord(document.webhooks);
  for (const [name, item] of Object.entries(webhooks)) {
    const event = eventFrom(system, name, asRecord(item));
    if (event) events.push(event);
  }
  const globalSecurity = document.security;
  for (const [key, item] of Object.entries(asRecord(document.paths))) {
    const pathItem = asRecord(item);
    if (!key.startsWith('/')) {
      const event = eventFrom(system, key, pathItem);
      if (event) events.push(event);
      continue;
    }
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (operation && typeof operation === 'object') {
        operations.push(operationFrom(system, method, key, asRecord(operation), pathItem, globalSecurity));
      }
    }
  }
  const servers = Array.isArray(document.servers)
    ? document.servers.map((server) => asRecord(server).url).filter((url): url is string => typeof url === 'string')
    : [];
  return { system, source, document, servers, events, operations };
}

function eventFrom(system: string, name: string, pathItem: Record<string, unknown>): WebhookEvent | undefined {
  const post = asRecord(pathItem.post);
  const body = bodyContent(asRecord(post.requestBody).content);
  if (!body) return undefined;
  return { system, name, tags: stringList(post.tags), deprecated: post.deprecated === true, body };
}

function operationFrom(
  system: string,
  method: string,
  route: string,
  operation: Record<string, unknown>,
  pathItem: Record<string, unknown>,
  globalSecurity: unknown,
): ApiOperation {
  const parameters = new Map<string, ApiParameter>();
  for (const raw of [...arrayOf(pathItem.parameters), ...arrayOf(operation.parameters)]) {
    const parameter = asRecord(raw);
    if (typeof parameter.name !== 'string' || typeof parameter.in !== 'string') continue;
    parameters.set(`${parameter.in}:${parameter.name}`, {
      name: parameter.name,
      in: parameter.in as ApiParameter['in'],
      required: parameter.required === true || parameter.in === 'path',
      schema: (parameter.schema as JsonSchema | undefined) ?? { type: 'string' },
    });
  }
  const requestBody = asRecord(operation.requestBody);
  const body = bodyContent(requestBody.content);
  const responses = Object.entries(asRecord(operation.responses)).map(([status, response]) => {
    const content = bodyContent(asRecord(response).content);
    return content ? { status, content } : { status };
  });
  const security = operation.security ?? globalSecurity;
  return {
    system,
    method,
    path: route,
    ...(typeof operation.operationId === 'string' ? { operationId: operation.operationId } : {}),
    ...(typeof operation.summary === 'string' ? { summary: operation.summary } : {}),
    tags: stringList(operation.tags),
    deprecated: operation.deprecated === true,
    parameters: [...parameters.values()],
    ...(body ? { requestBody: { ...body, required: requestBody.required === true } } : {}),
    responses,
    public: !Array.isArray(security) || security.length === 0 || security.some((requirement) => Object.keys(asRecord(requirement)).length === 0),
  };
}

/** The JSON body of a `content` map: `application/json` first, else the first JSON-like media type. */
function bodyContent(content: unknown): BodyContent | undefined {
  const map = asRecord(content);
  const types = Object.keys(map);
  const contentType = types.find((type) => type === 'application/json') ?? types.find((type) => /[/+]json\b/.test(type));
  if (!contentType) return undefined;
  const media = asRecord(map[contentType]);
  const schema = media.schema;
  if (!schema || typeof schema !== 'object') return undefined;
  let example: unknown = media.example;
  if (example === undefined && media.examples && typeof media.examples === 'object') {
    const first = Object.values(asRecord(media.examples))[0];
    example = asRecord(first).value;
  }
  return { contentType, schema: schema as JsonSchema, ...(example !== undefined ? { example } : {}) };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export interface FieldStats {
  fields: number;
  required: number;
}

/**
 * Counts the named fields of a body schema, at every depth (object properties, array item properties, and the
 * union of `anyOf`/`oneOf`/`allOf` alternatives), and how many of them their parent object requires.
 */
export function fieldStats(schema: JsonSchema | undefined): FieldStats {
  const stats = { fields: 0, required: 0 };
  const visit = (node: JsonSchema | undefined, seen: Set<JsonSchema>): void => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const required = new Set(node.required ?? []);
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      stats.fields++;
      if (required.has(name)) stats.required++;
      visit(child, seen);
    }
    visit(node.items, seen);
    if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, seen);
    for (const alternative of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) visit(alternative, seen);
  };
  visit(schema, new Set());
  return stats;
}
