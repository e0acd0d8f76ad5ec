/**
 * Drift between a body and its schema that validation alone does not show: the fields a body carries that the
 * schema does not document (at any depth; in an open object they are valid, yet undocumented). A field is
 * documented when any alternative (`anyOf`/`oneOf`) or part (`allOf`) of the schema names it, or a
 * `patternProperties` pattern matches it. An object the schema describes without naming any field (a free-form
 * map) has no undocumented fields.
 */
import type { JsonSchema } from './json-schema.js';
import { pointerToken } from './openapi-walk.js';

export function undocumentedFields(schema: JsonSchema, value: unknown): string[] {
  const found: string[] = [];
  visit(schema, value, [], found);
  return found;
}

const MAX_DEPTH = 64;

/** What a schema documents about the objects and arrays it describes, computed once per schema object. */
interface Shape {
  named: Map<string, JsonSchema>;
  patterns: RegExp[];
  /** `additionalProperties` schemas: undocumented fields are still walked into with them. */
  extras: JsonSchema[];
  /** Names no field: a free-form map, whose fields are not drift. */
  freeForm: boolean;
  items: JsonSchema | undefined;
}

const shapes = new WeakMap<JsonSchema, Shape>();

function shapeOf(schema: JsonSchema): Shape {
  let shape = shapes.get(schema);
  if (shape) return shape;
  const parts = flatten(schema);
  const named = new Map<string, JsonSchema[]>();
  const patterns: RegExp[] = [];
  const extras: JsonSchema[] = [];
  const items: JsonSchema[] = [];
  for (const part of parts) {
    for (const [name, child] of Object.entries(part.properties ?? {})) named.set(name, [...(named.get(name) ?? []), child]);
    for (const pattern of Object.keys((part as { patternProperties?: Record<string, unknown> }).patternProperties ?? {})) {
      try {
        patterns.push(new RegExp(pattern, 'u'));
      } catch {
        // a pattern the catalog already reported; it documents nothing
      }
    }
    if (part.additionalProperties && typeof part.additionalProperties === 'object') extras.push(part.additionalProperties);
    if (part.items && typeof part.items === 'object') items.push(part.items);
  }
  shape = {
    named: new Map([...named].map(([name, schemas]) => [name, schemas.length === 1 ? schemas[0]! : { anyOf: schemas }])),
    patterns,
    extras,
    freeForm: named.size === 0 && patterns.length === 0,
    items: items.length === 0 ? undefined : items.length === 1 ? items[0] : { anyOf: items },
  };
  shapes.set(schema, shape);
  return shape;
}

/** Walks the value along the schema; `path` holds the keys down to `value` (pointers are written only for findings). */
function visit(schema: JsonSchema | boolean | undefined, value: unknown, path: string[], found: string[]): void {
  if (!schema || typeof schema !== 'object' || path.length > MAX_DEPTH || value === null || typeof value !== 'object') return;
  const shape = shapeOf(schema);
  if (Array.isArray(value)) {
    if (!shape.items) return;
    for (let index = 0; index < value.length; index++) {
      const item = value[index];
      if (item === null || typeof item !== 'object') continue;
      path.push(String(index));
      visit(shape.items, item, path, found);
      path.pop();
    }
    return;
  }
  for (const name in value as Record<string, unknown>) {
    const child = (value as Record<string, unknown>)[name];
    const known = shape.named.get(name);
    if (known) {
      if (child === null || typeof child !== 'object') continue;
      path.push(name);
      visit(known, child, path, found);
      path.pop();
    } else if (!shape.patterns.some((pattern) => pattern.test(name))) {
      path.push(name);
      if (!shape.freeForm) found.push(pointerOf(path));
      for (const extra of shape.extras) visit(extra, child, path, found);
      path.pop();
    }
  }
}

function pointerOf(path: readonly string[]): string {
  return path.map((key) => `/${pointerToken(key)}`).join('');
}

/** The schema and every alternative and part of it, flattened (a field named by any of them is documented). */
function flatten(schema: JsonSchema): JsonSchema[] {
  const out: JsonSchema[] = [];
  const seen = new Set<JsonSchema>();
  const walk = (node: JsonSchema | undefined) => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    out.push(node);
    for (const child of [...(node.allOf ?? []), ...(node.anyOf ?? []), ...(node.oneOf ?? [])]) walk(child);
  };
  walk(schema);
  return out;
}
