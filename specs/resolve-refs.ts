/**
 * Resolves the local `$ref`s of an OpenAPI document (`#/components/schemas/X`, any JSON pointer into the same
 * file). Each target is resolved once and shared by every reference to it. A `$ref` with siblings means the
 * target plus the siblings: in a schema, `allOf` of the target and the siblings (JSON Schema 2020-12, as OpenAPI 3.1
 * reads it) or, when the siblings are annotations only, the target with them; elsewhere, the target's fields with
 * the siblings over them (as 3.1's `summary` and `description` do).
 *
 * What cannot be resolved (a pointer to nothing, a reference to another file) stays a `{"$ref"}` object and is
 * listed: the catalog refuses it only if an event or operation uses it. A recursive schema resolves into a cyclic
 * object graph; the catalog refuses those where an event or operation uses them.
 */
import { isExtension, isRecord, pointerToken } from './openapi-walk.js';
import { lookupPointer } from './spec-deviations.js';

export interface UnresolvedRef {
  /** Where the `$ref` is, in the file. */
  pointer: string;
  ref: string;
  reason: string;
}

export interface Resolution {
  document: Record<string, unknown>;
  /** The `$ref` objects left unresolved, by identity, with where they are. */
  unresolved: Map<object, UnresolvedRef>;
  /** Where each resolved object came from in the file (the first place), for error messages. */
  origin: WeakMap<object, string>;
}

/** Keys whose values are data, never OpenAPI objects: a `$ref` in them is text. */
const DATA_KEYS = new Set(['example', 'enum', 'const', 'default', 'value']);
/** Keys whose values are maps of named things (properties, components, ...): their keys are names, not keywords. */
const MAP_KEYS = new Set([
  ...['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'schemas', 'responses', 'parameters', 'examples'],
  ...['requestBodies', 'headers', 'securitySchemes', 'links', 'callbacks', 'pathItems', 'paths', 'webhooks', 'content', 'encoding', 'variables'],
]);
const ANNOTATIONS = new Set(['description', 'summary', 'title', 'example', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$comment']);

export function resolveLocalRefs(document: Record<string, unknown>): Resolution {
  const unresolved = new Map<object, UnresolvedRef>();
  const origin = new WeakMap<object, string>();
  const targets = new Map<string, unknown>();

  const resolveValue = (value: unknown, pointer: string, key?: string, named = false): unknown => {
    if (Array.isArray(value)) {
      // A schema's `examples` is a list of values; a media type's is a map of Example objects (walked below).
      if (key === 'examples') return value;
      return value.map((item, index) => resolveValue(item, `${pointer}/${index}`));
    }
    if (!isRecord(value)) return value;
    if (typeof value.$ref === 'string') return resolveRef(value, pointer);
    const out: Record<string, unknown> = {};
    origin.set(out, pointer);
    const isMap = key !== undefined && !named && MAP_KEYS.has(key);
    for (const [name, child] of Object.entries(value)) {
      const data = !isMap && (DATA_KEYS.has(name) || isExtension(name));
      out[name] = data ? child : resolveValue(child, `${pointer}/${pointerToken(name)}`, name, isMap);
    }
    return out;
  };

  const resolveRef = (node: Record<string, unknown>, pointer: string): unknown => {
    const ref = node.$ref as string;
    const target = resolveTarget(ref);
    if (!target.found) {
      const left = { ...node };
      unresolved.set(left, { pointer, ref, reason: target.reason });
      return left;
    }
    const siblingKeys = Object.keys(node).filter((name) => name !== '$ref');
    if (siblingKeys.length === 0) return target.value;
    const siblings: Record<string, unknown> = {};
    for (const name of siblingKeys) {
      const child = node[name];
      siblings[name] = DATA_KEYS.has(name) || isExtension(name) ? child : resolveValue(child, `${pointer}/${pointerToken(name)}`, name);
    }
    let merged: Record<string, unknown>;
    if (!isSchemaPointer(ref, pointer) && isRecord(target.value)) merged = { ...target.value, ...siblings };
    else if (isRecord(target.value) && siblingKeys.every((name) => ANNOTATIONS.has(name) || isExtension(name))) merged = { ...target.value, ...siblings };
    else merged = { allOf: [target.value], ...siblings };
    origin.set(merged, pointer);
    return merged;
  };

  const resolveTarget = (ref: string): { found: true; value: unknown } | { found: false; reason: string } => {
    if (!ref.startsWith('#')) return { found: false, reason: 'only references within the same file are resolved' };
    if (targets.has(ref)) return { found: true, value: targets.get(ref) };
    const raw = lookupPointer(document, ref);
    if (raw === undefined) return { found: false, reason: 'it points to nothing in the file' };
    if (!isRecord(raw)) {
      const value = resolveValue(raw, ref.slice(1));
      targets.set(ref, value);
      return { found: true, value };
    }
    // Registered before it is resolved, so a reference back to it (a recursive schema) finds the same object.
    const shared: Record<string, unknown> = {};
    targets.set(ref, shared);
    const value = resolveValue(raw, safeDecode(ref.slice(1)));
    if (isRecord(value)) {
      Object.assign(shared, value);
      origin.set(shared, origin.get(value) ?? ref.slice(1));
      return { found: true, value: shared };
    }
    targets.set(ref, value);
    return { found: true, value };
  };

  const resolved = resolveValue(document, '') as Record<string, unknown>;
  return { document: resolved, unresolved, origin };
}

/** Whether a reference names a schema: by where it points, or by where it stands. */
function isSchemaPointer(ref: string, at: string): boolean {
  const schemaPlace = /\/(schemas|schema|properties|items|allOf|anyOf|oneOf|not|additionalProperties|\$defs|definitions|prefixItems)(\/|$)/;
  return schemaPlace.test(safeDecode(ref.slice(1))) || schemaPlace.test(at);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
