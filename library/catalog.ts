/**
 * The catalog from code: the bundled specs' systems, their events (with each event's JSON Schema and Zoom's example)
 * and REST operations, and specs of your own (`loadSpec`, any OpenAPI 3.0/3.1 file read as `--spec` reads it).
 */
import { isBundledSystem, loadBundledSpec, loadSpecFile, BUNDLED_SYSTEMS, type ApiOperation, type Spec } from '../specs/catalog.js';
import type { JsonSchema } from '../specs/json-schema.js';
import { findEvent } from '../job/select-specs.js';
import { listItems, type ListOption } from '../job/options.js';
import { UsageError } from '../job/usage-error.js';

/** The bundled specs by system name: meetings, video-sdk, qss, rtms (webhook events) and video-sdk-api (REST). */
export const SYSTEMS: readonly string[] = BUNDLED_SYSTEMS;

/** Which specs: bundled systems, or specs loaded with `loadSpec` (default: every bundled one). */
export interface SpecChoice {
  systems?: ListOption;
  spec?: Spec | readonly Spec[];
}

export interface EventInfo {
  name: string;
  system: string;
  tags: string[];
  deprecated: boolean;
  /** The JSON Schema of the body. */
  schema: JsonSchema;
  /** Zoom's example body, when the spec has one. */
  example?: unknown;
}

/** Reads an OpenAPI 3.0/3.1 file (JSON or YAML) as `--spec` does; `strict` refuses any deviation from OpenAPI. */
export async function loadSpec(file: string, options: { strict?: boolean } = {}): Promise<Spec> {
  return loadSpecFile(file, { strict: options.strict === true });
}

/** The events of the chosen specs. */
export function listEvents(choice: SpecChoice = {}): EventInfo[] {
  return specsOf(choice, BUNDLED_SYSTEMS).flatMap((spec) =>
    spec.events.map((event) => ({
      name: event.name,
      system: event.system,
      tags: event.tags,
      deprecated: event.deprecated,
      schema: event.body.schema,
      ...(event.body.example !== undefined ? { example: event.body.example } : {}),
    })),
  );
}

/** The REST operations of the chosen specs. */
export function listOperations(choice: SpecChoice = {}): ApiOperation[] {
  return specsOf(choice, BUNDLED_SYSTEMS).flatMap((spec) => spec.operations);
}

/** The JSON Schema of an event's body. */
export function eventSchema(event: string, choice: SpecChoice = {}): JsonSchema {
  try {
    return findEvent(specsOf(choice, BUNDLED_SYSTEMS), event).body.schema;
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`eventSchema: ${error.message}`);
    throw error;
  }
}

/** The specs a choice names: `spec` as given, else the named bundled systems, else `defaults`. */
export function specsOf(choice: SpecChoice, defaults: readonly string[]): Spec[] {
  if (choice.spec !== undefined) {
    if (choice.systems !== undefined) throw new UsageError('give systems or spec, not both');
    return Array.isArray(choice.spec) ? [...(choice.spec as readonly Spec[])] : [choice.spec as Spec];
  }
  const names = listItems(choice.systems) ?? [...defaults];
  for (const name of names) if (!isBundledSystem(name)) throw new UsageError(`unknown system "${name}" (known: ${BUNDLED_SYSTEMS.join(', ')}; loadSpec(file) for your own)`);
  return names.map((name) => loadBundledSpec(name));
}
