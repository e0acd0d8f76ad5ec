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
  /** Where the value is: the walk's own path, valid during the visit only (a visitor that keeps it keeps a copy). */
  path: readonly PathPart[];
  /** The name of the property holding this value (for array items: the array's name). */
  name: string;
  /** True inside an `anyOf`/`oneOf`/`allOf` subtree. */
  alternative: boolean;
}

/**
 * Visits every value with its schema and path, in the schema's property order. The walk keeps one path that grows
 * and shrinks as it goes (a body is walked for every delivery of a lifecycle, every large body and every broken one;
 * a path copied per node was most of the walk's cost).
 */
export function walkWithSchema(schema: JsonSchema, value: JsonTree, visit: (node: Visit) => void): void {
  const path: PathPart[] = [];
  const step = (node: JsonSchema, current: JsonTree, name: string, alternative: boolean) => {
    const composite = Boolean(node.anyOf || node.oneOf || node.allOf);
    visit({ value: current, schema: node, path, name, alternative: alternative || composite });
    if (composite) return;
    if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
      const properties = node.properties ?? {};
      for (const key in properties) {
        if (!(key in current)) continue;
        path.push(key);
        step(properties[key]!, current[key] as JsonTree, key, alternative);
        path.pop();
      }
    } else if (Array.isArray(current) && node.items) {
      for (let index = 0; index < current.length; index++) {
        path.push(index);
        step(node.items, current[index]!, name, alternative);
        path.pop();
      }
    }
  };
  step(schema, value, '', false);
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
