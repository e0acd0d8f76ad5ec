/**
 * Turns a parsed source document (SeedDocument) into an OpenAPI 3.1 document.
 *
 * Webhook documents put each event in the top-level `webhooks` map under its exact name; REST documents put
 * operations under `paths`. Schemas are written in a canonical key order so that re-running the importer is
 * byte-for-byte reproducible. Objects become open (`additionalProperties: true`) where the source's examples
 * mark them with `"additionalProperty": "anything"`.
 */
import { isDeepStrictEqual } from 'node:util';
import { STATUS_CODES } from 'node:http';
import { SCHEMA_KEY_ORDER, type JsonSchema } from '../../specs/json-schema.js';
import type { SeedContent, SeedDocument, SeedOperation } from './model.js';

/** The key Zoom's rendered examples use to show that an object accepts extra properties. */
export const OPEN_OBJECT_MARKER = 'additionalProperty';

export interface SystemIdentity {
  /** Catalog name: meetings, video-sdk, qss, rtms, video-sdk-api. */
  system: string;
  /** Human title for `info.title`. */
  title: string;
  kind: 'webhooks' | 'api';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function toOpenApi(seed: SeedDocument, identity: SystemIdentity): Record<string, unknown> {
  const info = {
    title: identity.title,
    version: seed.version,
    'x-zoom-system': identity.system,
    'x-derived-from': `Zoom's published OpenAPI ${seed.openapi} document "${seed.title}", API version ${seed.version}`,
  };
  if (identity.kind === 'webhooks') {
    const webhooks: Record<string, unknown> = {};
    for (const operation of seed.operations) {
      if (operation.method !== 'post') throw new Error(`${operation.path}: webhook events are POST, found ${operation.method}`);
      if (webhooks[operation.path]) throw new Error(`${operation.path}: event listed twice`);
      webhooks[operation.path] = { post: webhookOperation(operation) };
    }
    return { openapi: seed.openapi, info, tags: tagList(seed), webhooks };
  }
  const paths: Record<string, Record<string, unknown>> = {};
  const operationIds = new Set<string>();
  for (const operation of seed.operations) {
    const item = (paths[operation.path] ??= {});
    if (item[operation.method]) throw new Error(`${operation.method.toUpperCase()} ${operation.path}: operation listed twice`);
    item[operation.method] = restOperation(operation, operationIds);
  }
  return {
    openapi: seed.openapi,
    info,
    servers: seed.servers.map((url) => ({ url })),
    security: [{ bearerAuth: [] }],
    tags: tagList(seed),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}

function tagList(seed: SeedDocument): { name: string }[] {
  const names = new Set(seed.operations.flatMap((operation) => operation.tags));
  return [...names].map((name) => ({ name }));
}

function webhookOperation(operation: SeedOperation): Record<string, unknown> {
  if (!operation.requestBody) throw new Error(`${operation.path}: event has no request body`);
  const body = content(operation.requestBody);
  const responses: Record<string, unknown> = {};
  for (const response of operation.responses) {
    // Zoom's documents show the event body again under the 200 response. A receiver's answer is not the
    // event, so the repeated body is dropped, but only when it really is the same schema: anything else
    // is kept as documented.
    const repeatsBody =
      response.content !== undefined && isDeepStrictEqual(response.content.schema, operation.requestBody.schema);
    responses[response.status] = {
      description: response.status.startsWith('2') ? 'Event acknowledged' : STATUS_CODES[Number(response.status)] ?? response.status,
      ...(response.content && !repeatsBody ? { content: content(response.content) } : {}),
    };
  }
  return {
    operationId: operation.path,
    tags: operation.tags,
    ...(operation.deprecated ? { deprecated: true } : {}),
    requestBody: { required: true, content: body },
    responses,
  };
}

function restOperation(operation: SeedOperation, operationIds: Set<string>): Record<string, unknown> {
  const pathParameters = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const queryParameters = (operation.queryParameters ?? []).map((parameter) => ({
    name: parameter.name,
    in: 'query',
    required: parameter.required,
    schema: canonicalSchema(parameter.schema),
  }));
  const responses: Record<string, unknown> = {};
  for (const response of operation.responses) {
    responses[response.status] = {
      description: STATUS_CODES[Number(response.status)] ?? response.status,
      ...(response.content ? { content: content(response.content) } : {}),
    };
  }
  return {
    operationId: uniqueOperationId(operation, operationIds),
    ...(operation.summary ? { summary: operation.summary } : {}),
    tags: operation.tags,
    ...(operation.deprecated ? { deprecated: true } : {}),
    ...(pathParameters.length + queryParameters.length > 0 ? { parameters: [...pathParameters, ...queryParameters] } : {}),
    ...(operation.requestBody ? { requestBody: { required: true, content: content(operation.requestBody) } } : {}),
    responses,
  };
}

/** camelCase of the summary ("List sessions" -> "listSessions"), or of method + path without one. */
function uniqueOperationId(operation: SeedOperation, taken: Set<string>): string {
  const words = (operation.summary ?? `${operation.method} ${operation.path}`)
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const base = words.map((word, index) => (index === 0 ? word.toLowerCase() : word[0]!.toUpperCase() + word.slice(1))).join('');
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}${n}`;
  taken.add(id);
  return id;
}

function content(seed: SeedContent): Record<string, unknown> {
  const schema = structuredClone(seed.schema);
  if (seed.example !== undefined) markOpenObjects(schema, seed.example);
  return {
    [seed.contentType]: {
      schema: canonicalSchema(schema),
      ...(seed.example !== undefined ? { example: seed.example } : {}),
    },
  };
}

/**
 * Sets `additionalProperties: true` on every object schema whose instance in the example carries the
 * open-object marker. Walks the example and the schema together.
 */
export function markOpenObjects(schema: JsonSchema, example: unknown): void {
  if (Array.isArray(example)) {
    if (schema.items) for (const element of example) markOpenObjects(schema.items, element);
    return;
  }
  if (example === null || typeof example !== 'object') return;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const best = bestAlternative(alternatives, example as Record<string, unknown>);
    if (best) markOpenObjects(best, example);
    return;
  }
  const record = example as Record<string, unknown>;
  if (OPEN_OBJECT_MARKER in record && !schema.properties?.[OPEN_OBJECT_MARKER]) schema.additionalProperties = true;
  for (const [key, value] of Object.entries(record)) {
    const property = schema.properties?.[key];
    if (property) markOpenObjects(property, value);
  }
}

/** The alternative that declares the most of the example's keys (first wins a tie). */
function bestAlternative(alternatives: JsonSchema[], example: Record<string, unknown>): JsonSchema | undefined {
  let best: JsonSchema | undefined;
  let bestScore = -1;
  for (const alternative of alternatives) {
    const score = Object.keys(example).filter((key) => alternative.properties?.[key]).length;
    if (score > bestScore) {
      best = alternative;
      bestScore = score;
    }
  }
  return best;
}

/** A deep copy of the schema with keys in canonical order (unknown keys last, alphabetically). */
export function canonicalSchema(schema: JsonSchema): JsonSchema {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(schema);
  const known = SCHEMA_KEY_ORDER.filter((key) => keys.includes(key));
  const rest = keys.filter((key) => !(SCHEMA_KEY_ORDER as readonly string[]).includes(key)).sort();
  for (const key of [...known, ...rest]) {
    const value = (schema as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (key === 'properties') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([name, child]) => [name, canonicalSchema(child)]),
      );
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = canonicalSchema(value as JsonSchema);
    } else if (key === 'anyOf' || key === 'oneOf' || key === 'allOf') {
      out[key] = (value as JsonSchema[]).map(canonicalSchema);
    } else {
      out[key] = value as Json;
    }
  }
  return out as JsonSchema;
}
