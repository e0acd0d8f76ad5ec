/**
 * The options of the main job, as the library (`runConformance`, `describeConformance`), a configuration file and
 * the command line (after its own parsing) give them: each a command-line option in camelCase, lists as arrays or
 * comma-separated strings. One JSON Schema (`conformance-options.schema.json`, shipped in the package) describes the
 * JSON-able ones; `checkOptions` validates against it and turns the first problem into one line.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { FetchHandler, RequestListener } from '../engine/in-process-target.js';
import type { RunProgress } from '../suites/runner.js';
import type { CountFunction } from '../suites/observer.js';
import { ZOOM } from '../profiles/zoom.js';
import { createAjv } from '../specs/schema-validator.js';
import schema from './conformance-options.schema.json' with { type: 'json' };
import { closestName } from './closest-name.js';
import { UsageError } from './usage-error.js';

export const OPTIONS_SCHEMA: object = schema;

/** A list option: an array, or one comma-separated string. */
export type ListOption = string | readonly string[];

/** What can be tested: a URL, or a handler of this process served on a loopback port for the run. */
export type Target = string | URL | RequestListener | FetchHandler | { fetch: FetchHandler } | import('node:http').Server;

/** The options the library takes (and a configuration file holds). */
export interface ConformanceOptions {
  /**
   * The receiver: its URL, or a handler of this process: a Node request listener `(req, res)` (an Express app, Koa's
   * `app.callback()`, Fastify's `routing`), a fetch handler `(request) => Response` (Hono's `app.fetch`, a Next.js
   * route handler), an object with a `fetch` method (a Hono app), or an `http.Server`. A function of two or more
   * parameters is taken for a request listener; a fetch handler that declares a second one (Next.js's context):
   * pass `{ fetch: handler }`.
   */
  target: Target;
  /** Where an in-process target is served: the path the deliveries are sent to (default `/`). */
  path?: string;
  /** The Secret Token (default: ZOOM_WEBHOOK_SECRET_TOKEN). Never printed, never stored. */
  secret?: string;
  /** Bundled specs: meetings, video-sdk, qss, rtms (default: all four). */
  systems?: ListOption;
  /** OpenAPI files of your own instead of the bundled specs. */
  spec?: ListOption;
  /** Refuse spec files that deviate from OpenAPI. */
  specStrict?: boolean;
  /** Globs over event names, e.g. `meeting.*`. */
  events?: ListOption;
  /** Suites: url-validation, acknowledgement, signature, idempotency, robustness (default: all). */
  suites?: ListOption;
  /** Globs over check ids, e.g. `signature.*`. */
  checks?: ListOption;
  /** Valid (and edge) deliveries per event (default 2). */
  examples?: number;
  /** The run seed (default: random; in the report). The same seed sends the same bodies. */
  seed?: number;
  /** Per-delivery deadline in milliseconds (default 3000, Zoom's). */
  deadline?: number;
  /** Deliveries in flight at once (default 8). */
  concurrency?: number;
  /** Concurrent deliveries in the burst check (default 50). */
  burst?: number;
  /** Copies of a fresh delivery released at the same instant (default 2). */
  copies?: number;
  /** The earliest a late retry follows its original: milliseconds, or a time such as `2s`, `5m` (default 2 s). */
  retryAfter?: number | string;
  /**
   * How many times the receiver applied a delivery: the URL of its test hook (`GET URL?event=&event_ts=` answering
   * `{"count": n}`), with an in-process target the hook's path on it (`/zoom/observe`), or a function
   * `(event, eventTs) => count`.
   */
  observe?: string | URL | CountFunction;
  /** SHOULD failures fail too. */
  strict?: boolean;
  /** Report files to write: json, junit, html, github (default: none). */
  report?: ListOption;
  /** The folder for report files (default `conformance-report`). */
  out?: string;
  /** Basic authentication the endpoint has in Zoom, `user:password`. */
  basic?: string;
  /** A Bearer token the endpoint has in Zoom. */
  bearer?: string;
  /** Custom headers the endpoint has in Zoom: `["x-name: value"]` or `{ "x-name": "value" }`. */
  headers?: readonly string[] | Readonly<Record<string, string>>;
  /** Accept a self-signed TLS certificate (test targets only). */
  insecure?: boolean;
  /** `i/n`: run slice i of n. */
  shard?: string;
  /** A baseline file of accepted findings: the run fails only on what it does not accept. */
  baseline?: string;
  /** The folder relative paths (spec, out, baseline) start from (default: the working folder). */
  cwd?: string;
  /** Stops the run when aborted: nothing more is sent, what ran is reported (`report.stopped`). */
  signal?: AbortSignal;
  /** Called as the run progresses. */
  onProgress?: (progress: RunProgress) => void;
}

/** What a configuration file may hold beyond the library's options: the command line's console settings. */
export interface ConsoleOptions {
  /** Print every failure in full. */
  allFailures?: boolean;
  /** A progress bar or progress lines (default true). */
  progress?: boolean;
}

/** A configuration file's options (`defineConfig` types them): the library's, without the run-time hooks, plus the console's. */
export type ConfigOptions = Partial<Omit<ConformanceOptions, 'cwd' | 'signal' | 'onProgress'>> & ConsoleOptions;

/** The defaults, where they are not the absence of the option. */
export const DEFAULTS = {
  path: '/',
  examples: 2,
  deadline: ZOOM.deadlineMs,
  concurrency: 8,
  burst: 50,
  out: 'conformance-report',
} as const;

/** The keys that only the library takes (hooks and run-time values, never in a file). */
const RUNTIME_KEYS = ['cwd', 'signal', 'onProgress'] as const;
/** The keys whose values may be functions or objects (in the library and in .mjs/.ts files). */
const LIVE_KEYS = ['target', 'observe'] as const;
/** The keys of the command line's console, refused by the library. */
const CONSOLE_KEYS = ['allFailures', 'progress'] as const;
/** Values never repeated in a message. */
const SECRET_KEYS = new Set(['secret', 'bearer', 'basic', 'headers']);

export interface CheckContext {
  /** Where the options come from, for messages: `runConformance`, `conformance.config.json`. */
  where: string;
  /** What may be in them: the library's options, a JSON file's (no functions), or a module's (functions allowed). */
  source: 'library' | 'json' | 'module';
}

let compiled: ValidateFunction | undefined;

/**
 * Checks options against the schema (and, for the keys no JSON can hold, by hand). Throws a UsageError of one line,
 * `<where>: <key> must be ...`, naming the first problem; an unknown key is named with the closest known one.
 */
export function checkOptions(value: unknown, context: CheckContext): void {
  const fail = (message: string): never => {
    throw new UsageError(`${context.where}: ${message}`);
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`the options must be an object, got ${describe(value)}`);
  const options = value as Record<string, unknown>;
  const plain: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(options)) {
    if (entry === undefined) continue;
    if ((RUNTIME_KEYS as readonly string[]).includes(key)) {
      if (context.source !== 'library') fail(`${key} is an option of the library (runConformance), not of a configuration file`);
      checkRuntimeValue(key, entry, fail);
    } else if ((CONSOLE_KEYS as readonly string[]).includes(key) && context.source === 'library') {
      fail(`${key} is an option of the command line's console output, not of the library`);
    } else if ((LIVE_KEYS as readonly string[]).includes(key) && typeof entry !== 'string') {
      checkLiveValue(key, entry, context, fail);
    } else plain[key] = entry;
  }
  compiled ??= createAjv().compile(schema);
  if (!compiled(plain)) fail(describeProblem(compiled.errors ?? [], plain));
}

function checkRuntimeValue(key: string, value: unknown, fail: (message: string) => never): void {
  if (key === 'cwd' && typeof value !== 'string') fail('cwd must be a folder path');
  if (key === 'signal' && !(value instanceof AbortSignal)) fail('signal must be an AbortSignal');
  if (key === 'onProgress' && typeof value !== 'function') fail('onProgress must be a function');
}

function checkLiveValue(key: string, value: unknown, context: CheckContext, fail: (message: string) => never): void {
  const json = context.source === 'json';
  if (key === 'target') {
    if (value instanceof URL) return;
    if (json) fail(`target must be a URL string, got ${describe(value)}`);
    if (typeof value === 'function' || (value !== null && typeof value === 'object')) return;
    fail(`target must be a URL, a request listener (req, res), a fetch handler (request) => Response or an object with a fetch method, got ${describe(value)}`);
  }
  if (key === 'observe') {
    if (value instanceof URL) return;
    if (typeof value === 'function' && !json) return;
    fail(`observe must be the URL of your observer${json ? '' : ' or a function (event, eventTs) => count'}, got ${describe(value)}`);
  }
}

interface AjvProblem {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
}

/** The first problem, in words: unknown keys first (a typo explains the rest), then by key. */
function describeProblem(errors: readonly AjvProblem[], options: Record<string, unknown>): string {
  const unknown = errors.find((error) => error.keyword === 'additionalProperties' && error.instancePath === '');
  if (unknown) {
    const key = String(unknown.params.additionalProperty);
    const suggestion = closestName(key, Object.keys((schema as { properties: object }).properties));
    return `unknown option "${key}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
  }
  const error = errors[0];
  const key = error?.instancePath.split('/')[1];
  if (!error || key === undefined) return 'the options must be an object';
  const shown = SECRET_KEYS.has(key) ? '' : `, got ${describe(options[key])}`;
  return `${key} must be ${expectation(key)}${shown}`;
}

/** What a key's value must be, from the schema. */
function expectation(key: string): string {
  const property = (schema as { properties: Record<string, { type?: string | string[]; minimum?: number; maximum?: number; $ref?: string }> }).properties[key]!;
  const types = [property.type ?? []].flat();
  switch (key) {
    case 'retryAfter':
      return `milliseconds (a whole number from ${property.minimum} to ${property.maximum}) or a time such as 2s, 5m or 1500ms`;
    case 'path':
      return 'a path starting with /';
    case 'shard':
      return 'i/n with 1 <= i <= n, e.g. 2/3';
    case 'basic':
      return 'user:password';
    case 'headers':
      return 'a list of "name: value" strings, or an object of header names and values';
    case 'target':
      return 'an http:// or https:// URL';
    case 'observe':
      return 'the URL of your observer (with an in-process target: its path, e.g. /zoom/observe)';
  }
  if (property.$ref) return 'a string or a list of strings (["a", "b"] or "a,b")';
  if (types.includes('integer')) return `a whole number from ${property.minimum} to ${property.maximum}`;
  if (types.includes('boolean')) return 'true or false';
  return 'a non-empty string';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** `60s`, `2m`, `1500ms`, `1h` (a bare number is seconds), from 1 ms to 24 h, in milliseconds. */
export function parseDuration(value: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new UsageError(`${name} takes a time such as 60s, 2m or 1500ms, got "${value}"`);
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  const ms = amount * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
  if (ms < 1 || ms > 24 * 3_600_000) throw new UsageError(`${name} must be between 1 ms and 24 h`);
  return Math.round(ms);
}

/** A fresh seed when none is given; in the report (and printed) so the run can be repeated. */
export function freshSeed(): number {
  return (Math.floor(Math.random() * 0x7fffffff) ^ Date.now()) | 0;
}

/** A list option as its items (a string is split at commas). */
export function listItems(value: ListOption | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return (typeof value === 'string' ? [value] : [...value]).flatMap((item) => item.split(',')).map((item) => item.trim()).filter(Boolean);
}
