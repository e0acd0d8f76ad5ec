/**
 * JSON Schema validation of bodies against spec schemas: ajv with the 2020-12 dialect (OpenAPI 3.1's) and
 * ajv-formats. One compiled validator per schema object, cached.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from './json-schema.js';

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * Formats that Zoom's documents use which are not standard JSON Schema or OpenAPI formats. They carry no
 * checkable constraint, so they validate anything of the right type.
 */
export const ZOOM_FREE_FORMATS = ['int', 'string', 'email or name'] as const;

/** OpenAPI keywords that can appear inside schemas and carry no validation meaning for ajv. */
const OPENAPI_ANNOTATIONS = ['example', 'discriminator', 'xml', 'externalDocs'];

export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false,
    strictTypes: false,
    allowUnionTypes: true,
    validateFormats: true,
  });
  addFormats(ajv);
  for (const format of ZOOM_FREE_FORMATS) ajv.addFormat(format, true);
  for (const keyword of OPENAPI_ANNOTATIONS) if (!ajv.getKeyword(keyword)) ajv.addKeyword(keyword);
  // Vendor extensions (`x-...`) are annotations too; ajv needs each keyword named, so they are added on demand.
  return ajv;
}

let standardFormats: ReadonlySet<string> | undefined;

/**
 * Whether a format is one JSON Schema (ajv-formats) or OpenAPI (int32, int64, float, double, byte, binary,
 * password) defines. Zoom's own names (`int`, ...) are not: in a user's file they are unknown formats.
 */
export function knownFormat(format: string): boolean {
  if (!standardFormats) {
    const ajv = new Ajv2020();
    addFormats(ajv);
    standardFormats = new Set([...Object.keys(ajv.formats), 'int32', 'int64', 'float', 'double', 'byte', 'binary', 'password']);
  }
  return standardFormats.has(format);
}

export interface SchemaProblem {
  /** JSON pointer into the instance. */
  path: string;
  keyword: string;
  message: string;
}

export interface SchemaValidatorOptions {
  /**
   * Values may hold `bigint`s (integers beyond 2^53, as parseExactJson gives them): validate them exactly. A bigint
   * is an integer (and a number) for `type`, and is checked against minimum/maximum/multipleOf and the int32/int64
   * ranges with integer arithmetic (ajv's own keywords only see JS numbers).
   */
  exactIntegers?: boolean;
}

export class SchemaValidator {
  private readonly ajv = createAjv();
  private readonly compiled = new WeakMap<object, ValidateFunction>();
  private readonly exact: boolean;

  constructor(options: SchemaValidatorOptions = {}) {
    this.exact = options.exactIntegers === true;
    if (this.exact) addExactNumberKeyword(this.ajv);
  }

  /** Validates a parsed JSON value; returns the problems found (empty when valid). */
  validate(schema: JsonSchema, value: unknown): SchemaProblem[] {
    const validate = this.compile(schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(toProblem);
  }

  isValid(schema: JsonSchema, value: unknown): boolean {
    return this.compile(schema)(value) === true;
  }

  private compile(schema: JsonSchema): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (!validate) {
      this.registerExtensions(schema);
      validate = this.ajv.compile(this.exact ? withExactNumbers(schema) : schema);
      this.compiled.set(schema, validate);
    }
    return validate;
  }

  /** Teaches ajv every `x-` keyword and unknown format found in the schema, so strict mode accepts it. */
  private registerExtensions(schema: unknown): void {
    if (Array.isArray(schema)) {
      for (const item of schema) this.registerExtensions(item);
      return;
    }
    if (schema === null || typeof schema !== 'object') return;
    for (const [key, value] of Object.entries(schema)) {
      if (key.startsWith('x-') && !this.ajv.getKeyword(key)) this.ajv.addKeyword(key);
      if (key === 'format' && typeof value === 'string' && !this.ajv.formats[value]) {
        // A user spec may name a format nobody defines; like OpenAPI, treat it as an annotation.
        this.ajv.addFormat(value, true);
      }
      if (key === 'properties' && value && typeof value === 'object') {
        for (const child of Object.values(value)) this.registerExtensions(child);
      } else if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'example' && key !== 'examples') {
        this.registerExtensions(value);
      }
    }
  }
}

/** A problem located where it is: a missing or undeclared property is reported at its own path, not its parent's. */
function toProblem(error: ErrorObject): SchemaProblem {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const name = error.keyword === 'required' ? params.missingProperty : error.keyword === 'additionalProperties' ? params.additionalProperty : undefined;
  const path = name === undefined ? error.instancePath : `${error.instancePath}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return { path: path || '/', keyword: error.keyword, message: error.message ?? 'is invalid' };
}

/** The keyword that stands in for `type` (and checks numeric limits of bigints) in exact-integer validation. */
const EXACT_NUMBER = 'zcExactNumber';
const NUMERIC_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'] as const;
const RANGES: Record<string, [bigint, bigint]> = { int32: [-(2n ** 31n), 2n ** 31n - 1n], int64: [-(2n ** 63n), 2n ** 63n - 1n] };

interface ExactNumberRule {
  /** The schema's types (null: any type). */
  types: string[] | null;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  format?: string;
}

/**
 * A copy of the schema where every node that says something about numbers carries the exact-number keyword, and
 * `type` moves into it (ajv's own `type` keyword rejects a bigint as "not an integer").
 */
function withExactNumbers(schema: JsonSchema): JsonSchema {
  const copies = new Map<object, unknown>();
  const copy = (node: unknown, isSchema: boolean): unknown => {
    if (node === null || typeof node !== 'object') return node;
    const done = copies.get(node);
    if (done) return done;
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      copies.set(node, out);
      for (const item of node) out.push(copy(item, isSchema));
      return out;
    }
    const out: Record<string, unknown> = {};
    copies.set(node, out);
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (DATA_KEYWORDS.has(key) || key.startsWith('x-')) out[key] = value;
      else if (MAP_KEYWORDS.has(key) && value && typeof value === 'object') {
        out[key] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, copy(child, true)]));
      } else out[key] = copy(value, true);
    }
    if (isSchema) {
      const types = out.type === undefined ? null : Array.isArray(out.type) ? (out.type as string[]) : [out.type as string];
      const numeric = NUMERIC_KEYWORDS.some((keyword) => typeof out[keyword] === 'number') || (typeof out.format === 'string' && out.format in RANGES);
      if (numeric || (types && (types.includes('integer') || types.includes('number')))) {
        const rule: ExactNumberRule = { types };
        for (const keyword of NUMERIC_KEYWORDS) if (typeof out[keyword] === 'number') rule[keyword] = out[keyword] as number;
        if (typeof out.format === 'string' && out.format in RANGES) rule.format = out.format;
        delete out.type;
        out[EXACT_NUMBER] = rule;
      }
    }
    return out;
  };
  return copy(schema, true) as JsonSchema;
}

/** Keywords whose values are data, not schemas. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'example', 'examples', 'required', 'type', 'format', 'pattern', ...NUMERIC_KEYWORDS]);
/** Keywords whose values map names to schemas. */
const MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

function addExactNumberKeyword(ajv: Ajv2020): void {
  ajv.addKeyword({
    keyword: EXACT_NUMBER,
    errors: true,
    validate: function exactNumber(this: unknown, rule: ExactNumberRule, data: unknown) {
      const self = exactNumber as unknown as { errors?: Partial<ErrorObject>[] };
      const fail = (keyword: string, message: string, params: Record<string, unknown> = {}) => {
        self.errors = [{ keyword, message, params }];
        return false;
      };
      if (rule.types && !rule.types.some((type) => hasType(data, type))) return fail('type', `must be ${rule.types.join(',')}`, { type: rule.types.join(',') });
      if (typeof data !== 'bigint') return true;
      // ajv's numeric keywords skip bigints: check them here, exactly (`below(m)` is data < m, `above(m)` data > m).
      const below = (limit: number) => (Number.isInteger(limit) ? data < BigInt(limit) : data < BigInt(Math.ceil(limit)));
      const above = (limit: number) => (Number.isInteger(limit) ? data > BigInt(limit) : data > BigInt(Math.floor(limit)));
      if (rule.minimum !== undefined && below(rule.minimum)) return fail('minimum', `must be >= ${rule.minimum}`, { comparison: '>=', limit: rule.minimum });
      if (rule.maximum !== undefined && above(rule.maximum)) return fail('maximum', `must be <= ${rule.maximum}`, { comparison: '<=', limit: rule.maximum });
      if (rule.exclusiveMinimum !== undefined && !above(rule.exclusiveMinimum)) {
        return fail('exclusiveMinimum', `must be > ${rule.exclusiveMinimum}`, { comparison: '>', limit: rule.exclusiveMinimum });
      }
      if (rule.exclusiveMaximum !== undefined && !below(rule.exclusiveMaximum)) {
        return fail('exclusiveMaximum', `must be < ${rule.exclusiveMaximum}`, { comparison: '<', limit: rule.exclusiveMaximum });
      }
      if (rule.multipleOf !== undefined && Number.isInteger(rule.multipleOf) && rule.multipleOf > 0 && data % BigInt(rule.multipleOf) !== 0n) {
        return fail('multipleOf', `must be multiple of ${rule.multipleOf}`, { multipleOf: rule.multipleOf });
      }
      const range = rule.format ? RANGES[rule.format] : undefined;
      if (range && (data < range[0] || data > range[1])) return fail('format', `must match format "${rule.format}"`, { format: rule.format });
      return true;
    },
  });
}

function hasType(data: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return typeof data === 'bigint' || (typeof data === 'number' && Number.isInteger(data));
    case 'number':
      return typeof data === 'bigint' || (typeof data === 'number' && Number.isFinite(data));
    case 'string':
      return typeof data === 'string';
    case 'boolean':
      return typeof data === 'boolean';
    case 'null':
      return data === null;
    case 'array':
      return Array.isArray(data);
    case 'object':
      return data !== null && typeof data === 'object' && !Array.isArray(data);
    default:
      return true;
  }
}
