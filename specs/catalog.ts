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
import type { ErrorObject } from 'ajv';
import type { JsonSchema } from './json-schema.js';
import { HTTP_METHODS, pointerToken } from './openapi-walk.js';
import { resolveLocalRefs, type Resolution } from './resolve-refs.js';
import { SchemaValidator } from './schema-validator.js';
import { normaliseDocument, summariseDeviations, type Deviation } from './spec-deviations.js';

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
  /** Where a user file deviates from OpenAPI and was read leniently (empty for the bundled specs). */
  deviations: Deviation[];
  /** The file's `openapi` version (user files). */
  openapi?: string;
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

export interface LoadOptions {
  /** The system name (default: the file's base name). */
  system?: string;
  /** Refuse any deviation from OpenAPI instead of reading it leniently (`--spec-strict`). */
  strict?: boolean;
}

/**
 * Loads a user spec file (JSON or YAML): an OpenAPI 3.0/3.1 document, read leniently (see spec-deviations.ts:
 * every deviation that leaves events and operations readable is read the way its author meant and listed in
 * `deviations`), its local `$ref`s resolved, its events and operations listed. Throws SpecError with a one-line
 * problem naming the place (a JSON pointer) when an event or operation cannot be read, or, with `strict`, when
 * the file deviates at all.
 */
export async function loadSpecFile(file: string, options: LoadOptions | string = {}): Promise<Spec> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SpecError(file, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a spec file' : `cannot be read (${code ?? (error as Error).message})`);
  }
  return specFromText(text, file, options);
}

export async function specFromText(text: string, file: string, options: LoadOptions | string = {}): Promise<Spec> {
  const { system = defaultSystemName(file), strict = false } = typeof options === 'string' ? { system: options } : options;
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
  const written = parsed as Record<string, unknown>;
  const version = written.openapi;
  if (typeof version !== 'string') {
    throw new SpecError(
      file,
      written.swagger ? 'a Swagger 2.0 document; convert it to OpenAPI 3.x first' : 'not an OpenAPI document (no "openapi" version field)',
    );
  }
  if (!/^3\.[01]\.\d+$/.test(version)) throw new SpecError(file, `OpenAPI version ${version} is not supported (3.0.x or 3.1.x)`);
  const deviations = normaliseDocument(written, version);
  deviations.push(...(await openApiSchemaDeviations(written)));
  const resolution = resolveLocalRefs(written);
  const spec = readSpec(resolution, file, system, deviations);
  if (spec.events.length === 0 && spec.operations.length === 0) {
    throw new SpecError(file, 'describes no webhook events (no "webhooks" map, no event-named "paths") and no operations');
  }
  if (strict && deviations.length > 0) {
    const first = deviations[0]!;
    throw new SpecError(file, `${summariseDeviations(deviations, version).replace(' ignored:', ':')} (first at ${first.pointer || '/'}); --spec-strict refuses them`);
  }
  return { ...spec, openapi: version };
}

/**
 * What the OpenAPI schema still finds after normalisation. The normalised document is in 3.1 form (a 3.0 document's
 * schemas were translated to JSON Schema 2020-12), so it is validated as 3.1. Zoom's downloadable files key
 * events by bare name under `paths`, which the schema does not allow (path keys start with "/"): they are
 * validated with those keys prefixed. An `x-` key the schema allows nowhere near is a misplaced extension (and is
 * dropped); anything else is listed as is.
 */
async function openApiSchemaDeviations(document: Record<string, unknown>): Promise<Deviation[]> {
  const { document: prefixed, renamed } = prefixEventPaths(document);
  const validator = new Validator({ allErrors: true });
  const result = await validator.validate({ ...prefixed, openapi: '3.1.0' });
  if (result.valid || !Array.isArray(result.errors)) return [];
  const errors = (result.errors as ErrorObject[]).filter((error) => !NOISE_KEYWORDS.has(error.keyword));
  const deviations: Deviation[] = [];
  const seen = new Set<string>();
  const pointers = errors.map((error) => restoreEventPointer(error.instancePath, renamed));
  errors.forEach((error, index) => {
    const pointer = pointers[index]!;
    // An error about a whole object whose parts have errors of their own says nothing more.
    if (pointers.some((other) => other.startsWith(`${pointer}/`))) return;
    const params = error.params as { additionalProperty?: string; unevaluatedProperty?: string };
    const extra = params.additionalProperty ?? params.unevaluatedProperty;
    const tokens = pointer.split('/').slice(1);
    const extensionAt = extra !== undefined && extra.startsWith('x-') ? tokens.length : tokens.findIndex((token) => token.startsWith('x-'));
    if (extensionAt >= 0) {
      const path = extensionAt === tokens.length ? [...tokens, pointerToken(extra!)] : tokens.slice(0, extensionAt + 1);
      const at = `/${path.join('/')}`;
      if (seen.has(at)) return;
      seen.add(at);
      deleteAt(document, path);
      deviations.push({ kind: 'misplaced-extension', pointer: at });
      return;
    }
    const message = `${pointer || '/'} ${error.message ?? 'is invalid'}${extra !== undefined ? ` (${extra})` : ''}`;
    if (seen.has(message)) return;
    seen.add(message);
    deviations.push({ kind: 'openapi-schema', pointer, detail: message });
  });
  return deviations;
}

/** Keywords whose errors only say that alternatives failed (their own errors are reported). */
const NOISE_KEYWORDS = new Set(['if', 'then', 'else', 'oneOf', 'anyOf', '$dynamicRef', '$ref']);

function restoreEventPointer(pointer: string, renamed: Set<string>): string {
  const match = /^\/paths\/~1([^/]*)(.*)$/.exec(pointer);
  if (!match) return pointer;
  const key = match[1]!.replace(/~1/g, '/').replace(/~0/g, '~');
  return renamed.has(key) ? `/paths/${match[1]}${match[2]}` : pointer;
}

function deleteAt(document: Record<string, unknown>, tokens: string[]): void {
  let current: unknown = document;
  for (const token of tokens.slice(0, -1)) {
    const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
    current = Array.isArray(current) ? current[Number(key)] : asRecord(current)[key];
  }
  const last = tokens.at(-1)!.replace(/~1/g, '/').replace(/~0/g, '~');
  if (current && typeof current === 'object' && !Array.isArray(current)) delete (current as Record<string, unknown>)[last];
}

function prefixEventPaths(document: Record<string, unknown>): { document: Record<string, unknown>; renamed: Set<string> } {
  const paths = asRecord(document.paths);
  const renamed = new Set(Object.keys(paths).filter((key) => !key.startsWith('/') && !key.startsWith('x-')));
  if (renamed.size === 0) return { document, renamed };
  const prefixed = Object.fromEntries(Object.entries(paths).map(([key, item]) => [renamed.has(key) ? `/${key}` : key, item]));
  return { document: { ...document, paths: prefixed }, renamed };
}

function defaultSystemName(file: string): string {
  return path.basename(file).replace(/\.(json|ya?ml)$/i, '').replace(/\.webhooks$/, '');
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/**
 * Lists the events and operations of an (already dereferenced) OpenAPI document that is known to be readable (the
 * bundled specs, checked by the project's tests): its schemas are not compiled here, so loading stays fast.
 */
export function specFromDocument(document: Record<string, unknown>, source: string, system: string): Spec {
  return readSpec({ document, unresolved: new Map(), origin: new WeakMap() }, source, system, [], false);
}

/**
 * Reads the events and operations of a resolved document. What makes one of them unreadable (no JSON body schema,
 * an unresolvable or recursive `$ref` in it, a schema ajv cannot compile, a parameter without name) is refused
 * with its JSON pointer; unresolvable `$ref`s nothing read uses become deviations.
 */
function readSpec(resolution: Resolution, source: string, system: string, deviations: Deviation[], check = true): Spec {
  const { document } = resolution;
  const reader = new SpecReader(resolution, source, check);
  const events: WebhookEvent[] = [];
  const operations: ApiOperation[] = [];
  for (const [name, item] of Object.entries(asRecord(document.webhooks))) {
    if (!name.startsWith('x-')) events.push(reader.event(system, name, asRecord(item), `/webhooks/${pointerToken(name)}`));
  }
  const globalSecurity = document.security;
  for (const [key, item] of Object.entries(asRecord(document.paths))) {
    if (key.startsWith('x-')) continue;
    const pathItem = asRecord(item);
    const pointer = `/paths/${pointerToken(key)}`;
    if (!key.startsWith('/')) {
      events.push(reader.event(system, key, pathItem, pointer));
      continue;
    }
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (operation && typeof operation === 'object') {
        operations.push(reader.operation(system, method, key, asRecord(operation), pathItem, globalSecurity, `${pointer}/${method}`));
      }
    }
  }
  for (const [node, unresolved] of resolution.unresolved) {
    if (!reader.used.has(node)) deviations.push({ kind: 'unresolvable-ref', pointer: unresolved.pointer, detail: unresolved.ref });
  }
  const servers = Array.isArray(document.servers)
    ? document.servers.map((server) => asRecord(server).url).filter((url): url is string => typeof url === 'string')
    : [];
  return { system, source, document, servers, events, operations, deviations };
}

class SpecReader {
  /** The unresolved `$ref` objects that something read reaches (the others are only deviations). */
  readonly used = new Set<object>();
  /** Made when a schema is first checked (bundled specs are trusted: reading them compiles nothing). */
  private validatorInstance: SchemaValidator | undefined;
  private readonly checked = new WeakSet<object>();

  constructor(
    private readonly resolution: Resolution,
    private readonly file: string,
    /** Whether to prove every schema resolvable and compilable (user files) or trust the document (bundled specs). */
    private readonly check: boolean,
  ) {}

  private get validator(): SchemaValidator {
    this.validatorInstance ??= new SchemaValidator();
    return this.validatorInstance;
  }

  event(system: string, name: string, pathItem: Record<string, unknown>, pointer: string): WebhookEvent {
    const post = asRecord(pathItem.post);
    if (!pathItem.post) this.refuse(pointer, `event "${name}" has no post operation`);
    const content = asRecord(asRecord(post.requestBody).content);
    const body = this.bodyContent(content, `${pointer}/post/requestBody/content`);
    if (!body) this.refuse(`${pointer}/post/requestBody`, `event "${name}" has no JSON request body with a schema`);
    return { system, name, tags: stringList(post.tags), deprecated: post.deprecated === true, body };
  }

  operation(
    system: string,
    method: string,
    route: string,
    operation: Record<string, unknown>,
    pathItem: Record<string, unknown>,
    globalSecurity: unknown,
    pointer: string,
  ): ApiOperation {
    const parameters = new Map<string, ApiParameter>();
    const declared = [
      ...arrayOf(pathItem.parameters).map((raw, index) => [raw, `${pointer.replace(/\/[^/]+$/, '')}/parameters/${index}`] as const),
      ...arrayOf(operation.parameters).map((raw, index) => [raw, `${pointer}/parameters/${index}`] as const),
    ];
    for (const [raw, at] of declared) {
      this.checkResolved(raw, at);
      const parameter = asRecord(raw);
      if (typeof parameter.name !== 'string' || typeof parameter.in !== 'string') this.refuse(at, 'a parameter without "name" and "in"');
      const schema = parameter.schema ?? asRecord(Object.values(asRecord(parameter.content))[0]).schema ?? { type: 'string' };
      this.checkSchema(schema, `${at}/schema`);
      parameters.set(`${parameter.in}:${parameter.name}`, {
        name: parameter.name,
        in: parameter.in as ApiParameter['in'],
        required: parameter.required === true || parameter.in === 'path',
        schema: schema as JsonSchema,
      });
    }
    this.checkResolved(operation.requestBody, `${pointer}/requestBody`);
    const requestBody = asRecord(operation.requestBody);
    const body = this.bodyContent(requestBody.content, `${pointer}/requestBody/content`);
    const responses: ApiResponse[] = [];
    for (const [status, response] of Object.entries(asRecord(operation.responses))) {
      if (status.startsWith('x-')) continue;
      const at = `${pointer}/responses/${pointerToken(status)}`;
      this.checkResolved(response, at);
      const content = this.bodyContent(asRecord(response).content, `${at}/content`);
      responses.push(content ? { status, content } : { status });
    }
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
  private bodyContent(content: unknown, pointer: string): BodyContent | undefined {
    this.checkResolved(content, pointer);
    const map = asRecord(content);
    const types = Object.keys(map);
    const contentType = types.find((type) => type === 'application/json') ?? types.find((type) => /[/+]json\b/.test(type));
    if (!contentType) return undefined;
    const at = `${pointer}/${pointerToken(contentType)}`;
    this.checkResolved(map[contentType], at);
    const media = asRecord(map[contentType]);
    const schema = media.schema;
    if (schema === undefined) return undefined;
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) this.refuse(`${at}/schema`, 'the schema is not an object');
    this.checkSchema(schema, `${at}/schema`);
    let example: unknown = media.example;
    if (example === undefined && media.examples && typeof media.examples === 'object') {
      const first = Object.values(asRecord(media.examples))[0];
      example = asRecord(first).value;
    }
    return { contentType, schema: schema as JsonSchema, ...(example !== undefined ? { example } : {}) };
  }

  /** Refuses an unresolvable or recursive `$ref` anywhere in a value something reads. */
  private checkResolved(value: unknown, pointer: string): void {
    if (!this.check) return;
    const stack = new Set<object>();
    const visit = (node: unknown, at: string): void => {
      if (node === null || typeof node !== 'object') return;
      const unresolved = this.resolution.unresolved.get(node);
      if (unresolved) {
        this.used.add(node);
        this.refuse(unresolved.pointer, `$ref "${unresolved.ref}" cannot be resolved: ${unresolved.reason}`);
      }
      if (stack.has(node)) this.refuse(at, `recursive schema (a $ref back to ${this.resolution.origin.get(node) || 'a schema that contains it'}): recursive schemas are not supported`);
      if (this.checked.has(node)) return;
      stack.add(node);
      for (const [key, child] of Object.entries(node)) visit(child, `${at}/${pointerToken(key)}`);
      stack.delete(node);
      this.checked.add(node);
    };
    visit(value, pointer);
  }

  /** A schema must resolve and compile (ajv, JSON Schema 2020-12) to be read at all. */
  private checkSchema(schema: unknown, pointer: string): void {
    if (!this.check) return;
    this.checkResolved(schema, pointer);
    try {
      this.validator.validate(schema as JsonSchema, null);
    } catch (error) {
      this.refuse(pointer, `the schema cannot be compiled (${firstLine((error as Error).message)})`);
    }
  }

  private refuse(pointer: string, problem: string): never {
    throw new SpecError(this.file, `${pointer || '/'}: ${problem}`);
  }
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
