/**
 * The line that repeats one check on one event: same seed, target, specs and delivery settings; never the secret
 * or a credential. On the command line it is a command; in the library, the call with the options to add to the
 * caller's own (an in-process target has no URL to name once the run is over).
 */
import { shellQuote as quote } from '../reports/curl.js';
import type { Check } from '../suites/check.js';
import { DEFAULT_COPIES, DEFAULT_RETRY_AFTER_MS } from '../suites/runner.js';
import { DEFAULTS } from './options.js';
import { specArguments } from './select-specs.js';

export type ReproduceStyle =
  /** `npx conformance --target URL ...`; `prefix` replaces `npx conformance` (`npx conformance demo`). */
  | { kind: 'command'; prefix?: string; config?: string }
  /** `runConformance({ ...options, seed: 42, checks: '...', events: '...' })`: `call` is what precedes the options (`runConformance(`). */
  | { kind: 'call'; call: string };

/** What a reproduce line repeats of a run, with the options as they were given. */
export interface ReproduceInput {
  style: ReproduceStyle;
  /** The target's URL; undefined for an in-process target. */
  url: URL | undefined;
  seed: number;
  systems?: readonly string[];
  spec?: readonly string[];
  specStrict?: boolean;
  examples: number;
  deadlineMs: number;
  burst: number;
  copies: number;
  retryAfterMs: number;
  /** The observer's URL, when it is one. */
  observe?: string;
  basic: boolean;
  bearer: boolean;
  headerNames: readonly string[];
  insecure: boolean;
  /** The selected events: a result on another one (none) names no event. */
  events: ReadonlySet<string>;
}

export function reproducer(input: ReproduceInput): (check: Check, event: string | undefined) => string {
  return input.style.kind === 'call' ? callReproducer(input, input.style.call) : commandReproducer(input, input.style);
}

function commandReproducer(input: ReproduceInput, style: { prefix?: string; config?: string }): (check: Check, event: string | undefined) => string {
  const start = style.prefix ?? `npx conformance${input.url ? ` --target ${quote(input.url.href)}` : ''}`;
  const fixed = [
    start,
    style.config !== undefined ? `--config ${quote(style.config)}` : '',
    `--seed ${input.seed}`,
    input.spec !== undefined ? specArguments({ spec: [...input.spec], ...(input.specStrict ? { specStrict: true } : {}) }) : input.systems !== undefined ? `--system ${quote(input.systems.join(','))}` : '',
    input.examples !== DEFAULTS.examples ? `--examples ${input.examples}` : '',
    input.deadlineMs !== DEFAULTS.deadline ? `--deadline ${input.deadlineMs}` : '',
    input.burst !== DEFAULTS.burst ? `--burst ${input.burst}` : '',
    input.copies !== DEFAULT_COPIES ? `--copies ${input.copies}` : '',
    input.retryAfterMs !== DEFAULT_RETRY_AFTER_MS ? `--retry-after ${input.retryAfterMs}ms` : '',
    input.observe !== undefined && style.prefix === undefined ? `--observe ${quote(input.observe)}` : '',
    input.basic ? `--basic '<user:password>'` : '',
    input.bearer ? `--bearer '<token>'` : '',
    ...input.headerNames.map((name) => `--header ${quote(`${name}: <value>`)}`),
    input.insecure ? '--insecure' : '',
  ].filter(Boolean);
  return (check, event) =>
    [...fixed, `--suite ${check.suite}`, `--checks ${check.id}`, event !== undefined && input.events.has(event) ? `--events ${quote(event)}` : ''].filter(Boolean).join(' ');
}

function callReproducer(input: ReproduceInput, call: string): (check: Check, event: string | undefined) => string {
  const text = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return (check, event) => {
    const added = [`seed: ${input.seed}`, `checks: ${text(check.id)}`, event !== undefined && input.events.has(event) ? `events: ${text(event)}` : ''].filter(Boolean);
    return `${call}{ ...options, ${added.join(', ')} })`;
  };
}
