/**
 * Walks a JSON value together with the schema that describes it, visiting every value with its schema and path.
 * `anyOf`/`oneOf` subtrees are reported as such and not entered (which alternative applies is not known).
 */
import type { JsonSchema } from '../specs/json-schema.js';
import type { JsonTree } from './json-text.js';

export type PathPart = string | number;

export interface Visit {
  value: JsonTree;
  schema: JsonSchema;
  path: PathPart[];
  /** The name of the property holding this value (for array items: the array's name). */
  name: string;
  /** True inside an `anyOf`/`oneOf`/`allOf` subtree. */
  alternative: boolean;
}

export function walkWithSchema(schema: JsonSchema, value: JsonTree, visit: (node: Visit) => void): void {
  const step = (node: JsonSchema, current: JsonTree, path: PathPart[], name: string, alternative: boolean) => {
    const composite = Boolean(node.anyOf || node.oneOf || node.allOf);
    visit({ value: current, schema: node, path, name, alternative: alternative || composite });
    if (composite) return;
    if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (key in current) step(child, current[key] as JsonTree, [...path, key], key, alternative);
      }
    } else if (Array.isArray(current) && node.items) {
      current.forEach((item, index) => step(node.items!, item, [...path, index], name, alternative));
    }
  };
  step(schema, value, [], '', false);
}

export function pointer(path: readonly PathPart[]): string {
  return path.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function valueAt(tree: JsonTree, path: readonly PathPart[]): JsonTree {
  let node: JsonTree = tree;
  for (const part of path) node = (node as Record<string | number, JsonTree>)[part] as JsonTree;
  return node;
}

export function setValueAt(tree: JsonTree, path: readonly PathPart[], replacement: JsonTree): void {
  const parent = valueAt(tree, path.slice(0, -1)) as Record<string | number, JsonTree>;
  parent[path[path.length - 1]!] = replacement;
}
