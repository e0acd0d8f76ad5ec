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
  visit(schema, value, '', found, 0);
  return found;
}

const MAX_DEPTH = 64;

function visit(schema: JsonSchema | boolean | undefined, value: unknown, pointer: string, found: string[], depth: number): void {
  if (!schema || typeof schema !== 'object' || depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
  const parts = flatten(schema);
  if (Array.isArray(value)) {
    const items = parts.map((part) => part.items).filter((items): items is JsonSchema => items !== undefined && typeof items === 'object');
    if (items.length === 0) return;
    const merged: JsonSchema = items.length === 1 ? items[0]! : { anyOf: items };
    value.forEach((item, index) => visit(merged, item, `${pointer}/${index}`, found, depth + 1));
    return;
  }
  const named = new Map<string, JsonSchema[]>();
  const patterns: RegExp[] = [];
  const extras: JsonSchema[] = [];
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
  }
  const freeForm = named.size === 0 && patterns.length === 0;
  for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
    const at = `${pointer}/${pointerToken(name)}`;
    const schemas = named.get(name);
    if (schemas) {
      visit(schemas.length === 1 ? schemas[0]! : { anyOf: schemas }, child, at, found, depth + 1);
    } else if (patterns.some((pattern) => pattern.test(name))) {
      continue;
    } else {
      if (!freeForm) found.push(at);
      for (const extra of extras) visit(extra, child, at, found, depth + 1);
    }
  }
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
