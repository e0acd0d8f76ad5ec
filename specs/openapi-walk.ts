/**
 * A walk over the objects of an OpenAPI 3.0/3.1 document by what they are: path items, operations, parameters,
 * request bodies, responses, headers, media types, examples and schemas (with every subschema), each with its JSON
 * pointer. Keys that start with `x-` (extensions) are never walked into as OpenAPI objects. The walk follows the
 * document as written (a `$ref` object is visited as the kind expected at its place, not followed), so it runs on
 * a tree and reaches every place once.
 *
 * The visitor is called before the walk goes into a node's children, so it may rewrite the node first.
 */

export type NodeKind = 'pathItem' | 'operation' | 'parameter' | 'requestBody' | 'response' | 'header' | 'mediaType' | 'example' | 'schema';

export interface WalkContext {
  /** The JSON pointer of the node. */
  pointer: string;
  /** For a schema: the schema holding it, if any. */
  parentSchema?: Record<string, unknown>;
  /** For a schema: its property name in the parent's `properties`, if it is one. */
  propertyName?: string;
  /** For a media type, parameter or header: its schema (the example's type is judged by it). */
  schema?: unknown;
}

export type Visitor = (node: Record<string, unknown>, kind: NodeKind, context: WalkContext) => void;

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/** Schema keywords that hold one subschema. */
const SUBSCHEMA = ['additionalProperties', 'items', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties', 'additionalItems', 'contentSchema'];
/** Schema keywords that hold a list of subschemas. */
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** Schema keywords that hold a map of subschemas. */
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];

export function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function isExtension(key: string): boolean {
  return key.startsWith('x-');
}

export function walkOpenApi(document: Record<string, unknown>, visit: Visitor): void {
  const walker = new Walker(visit);
  walker.pathItems(document.paths, '/paths');
  walker.pathItems(document.webhooks, '/webhooks');
  const components = document.components;
  if (!isRecord(components)) return;
  const each = (section: string, walk: (value: unknown, pointer: string) => void) => {
    const map = components[section];
    if (!isRecord(map)) return;
    for (const [name, value] of Object.entries(map)) if (!isExtension(name)) walk(value, `/components/${section}/${pointerToken(name)}`);
  };
  each('schemas', (value, pointer) => walker.schema(value, { pointer }));
  each('responses', (value, pointer) => walker.response(value, pointer));
  each('parameters', (value, pointer) => walker.parameter(value, pointer));
  each('examples', (value, pointer) => walker.example(value, pointer));
  each('requestBodies', (value, pointer) => walker.requestBody(value, pointer));
  each('headers', (value, pointer) => walker.header(value, pointer));
  each('pathItems', (value, pointer) => walker.pathItem(value, pointer));
  each('callbacks', (value, pointer) => walker.pathItems(value, pointer));
}

class Walker {
  constructor(private readonly visit: Visitor) {}

  pathItems(map: unknown, pointer: string): void {
    if (!isRecord(map)) return;
    for (const [key, item] of Object.entries(map)) if (!isExtension(key)) this.pathItem(item, `${pointer}/${pointerToken(key)}`);
  }

  pathItem(node: unknown, pointer: string): void {
    if (!isRecord(node)) return;
    this.visit(node, 'pathItem', { pointer });
    this.list(node.parameters, `${pointer}/parameters`, (item, at) => this.parameter(item, at));
    for (const method of HTTP_METHODS) this.operation(node[method], `${pointer}/${method}`);
  }

  operation(node: unknown, pointer: string): void {
    if (!isRecord(node)) return;
    this.visit(node, 'operation', { pointer });
    this.list(node.parameters, `${pointer}/parameters`, (item, at) => this.parameter(item, at));
    this.requestBody(node.requestBody, `${pointer}/requestBody`);
    this.map(node.responses, `${pointer}/responses`, (item, at) => this.response(item, at));
    this.map(node.callbacks, `${pointer}/callbacks`, (item, at) => this.pathItems(item, at));
  }

  parameter(node: unknown, pointer: string): void {
    if (!isRecord(node)) return;
    this.visit(node, 'parameter', { pointer, schema: node.schema });
    this.schema(node.schema, { pointer: `${pointer}/schema` });
    this.content(node.content, `${pointer}/content`);
    this.map(node.examples, `${pointer}/examples`, (item, at) => this.example(item, at, node.schema));
  }

  requestBody(node: unknown, pointer: string): void {
    if (!isRecord(node)) return;
    this.visit(node, 'requestBody', { pointer });
    this.content(node.content, `${pointer}/content`);
  }

  response(node: unknown, pointer: string): void {
    if (!isRecord(node)) return;
    this.visit(node, 'response', { pointer });
    this.map(node.headers, `${pointer}/headers`, (item, at) => this.header(item, at));
    this.content(node.content, `${pointer}/content`);
  }

  header(node: unknown, pointer: string): void {
    if (!isRecord(node)) return;
    this.visit(node, 'header', { pointer, schema: node.schema });
    this.schema(node.schema, { pointer: `${pointer}/schema` });
    this.content(node.content, `${pointer}/content`);
    this.map(node.examples, `${pointer}/examples`, (item, at) => this.example(item, at, node.schema));
  }

  content(map: unknown, pointer: string): void {
    this.map(map, pointer, (item, at) => this.mediaType(item, at));
  }

  mediaType(node: unknown, pointer: string): void {
    if (!isRecord(node)) return;
    this.visit(node, 'mediaType', { pointer, schema: node.schema });
    this.schema(node.schema, { pointer: `${pointer}/schema` });
    this.map(node.examples, `${pointer}/examples`, (item, at) => this.example(item, at, node.schema));
    this.map(node.encoding, `${pointer}/encoding`, (encoding, at) => {
      if (isRecord(encoding)) this.map(encoding.headers, `${at}/headers`, (item, headerAt) => this.header(item, headerAt));
    });
  }

  example(node: unknown, pointer: string, schema?: unknown): void {
    if (isRecord(node)) this.visit(node, 'example', { pointer, schema });
  }

  schema(node: unknown, context: WalkContext): void {
    if (!isRecord(node)) return;
    this.visit(node, 'schema', context);
    const { pointer } = context;
    for (const keyword of SUBSCHEMA) this.schema(node[keyword], { pointer: `${pointer}/${keyword}`, parentSchema: node });
    for (const keyword of SUBSCHEMA_LISTS) {
      this.list(node[keyword], `${pointer}/${keyword}`, (item, at) => this.schema(item, { pointer: at, parentSchema: node }));
    }
    for (const keyword of SUBSCHEMA_MAPS) {
      const map = node[keyword];
      if (!isRecord(map)) continue;
      for (const [name, child] of Object.entries(map)) {
        this.schema(child, { pointer: `${pointer}/${keyword}/${pointerToken(name)}`, parentSchema: node, ...(keyword === 'properties' ? { propertyName: name } : {}) });
      }
    }
  }

  private list(value: unknown, pointer: string, walk: (item: unknown, pointer: string) => void): void {
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${pointer}/${index}`));
  }

  private map(value: unknown, pointer: string, walk: (item: unknown, pointer: string) => void): void {
    if (!isRecord(value)) return;
    for (const [key, item] of Object.entries(value)) if (!isExtension(key)) walk(item, `${pointer}/${pointerToken(key)}`);
  }
}
