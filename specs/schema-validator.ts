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

export class SchemaValidator {
  private readonly ajv = createAjv();
  private readonly compiled = new WeakMap<object, ValidateFunction>();

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
      validate = this.ajv.compile(schema);
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
