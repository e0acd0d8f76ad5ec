/**
 * What a seed parser extracts from one source document: structure and facts only, never prose.
 *
 * Every parser (one per rendering) turns the text of one document into a SeedDocument; `to-openapi.ts`
 * turns a SeedDocument into an OpenAPI 3.1 document. Parsers do not know OpenAPI; the writer does not
 * know renderings.
 */
import type { JsonSchema } from '../../specs/json-schema.js';

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

export interface SeedDocument {
  /** Short title of the document, e.g. "Video SDK" or "Meetings". */
  title: string;
  /** The OpenAPI version the source document states, e.g. "3.1.0". */
  openapi: string;
  /** The API version the source document states, e.g. "1.0.0" or "2". */
  version: string;
  /** Server URLs, in source order (REST documents only). */
  servers: string[];
  /** Operations in source order. */
  operations: SeedOperation[];
}

export interface SeedOperation {
  method: HttpMethod;
  /** For webhook documents the bare event name (`meeting.started`); for REST the path template. */
  path: string;
  /** Short operation name (REST headings such as "List sessions"); absent for webhook events. */
  summary?: string;
  tags: string[];
  deprecated?: boolean;
  /** Query parameters that the source names for this operation (REST only), in source order. */
  queryParameters?: SeedParameter[];
  requestBody?: SeedContent;
  /** Every documented response status, in source order, with a body where one is given. */
  responses: SeedResponse[];
}

export interface SeedParameter {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface SeedContent {
  contentType: string;
  /** The body schema. Objects list `properties` in source order and `required` in source order. */
  schema: JsonSchema;
  /** The JSON example shown after the body, parsed; absent when the source shows none. */
  example?: unknown;
}

export interface SeedResponse {
  /** HTTP status as written, e.g. "200". */
  status: string;
  content?: SeedContent;
}
