/**
 * From options to a plan of the main job: every option checked and resolved (the target, the secret, the specs and
 * events, the suites and checks, the delivery settings, the observer, the report files, the baseline), with one-line
 * errors naming the option as its caller wrote it (`--events` on the command line, `events` in the library,
 * `events (conformance.config.json)` from a configuration file). Nothing is sent here.
 */
import path from 'node:path';
import picomatch from 'picomatch';
import { inProcessHandler, type InProcessHandler } from '../engine/in-process-target.js';
import { credentialHeaderNames, type EndpointAuth } from '../profiles/zoom.js';
import type { Redaction } from '../reports/redaction.js';
import type { ConformanceReport } from '../reports/report.js';
import { WEBHOOK_SYSTEMS, type Spec, type WebhookEvent } from '../specs/catalog.js';
import { SUITE_IDS, type Check, type SuiteId } from '../suites/check.js';
import { ALL_CHECKS } from '../suites/index.js';
import { FunctionObserver, HttpObserver, type Observer } from '../suites/observer.js';
import { DEFAULT_COPIES, DEFAULT_RETRY_AFTER_MS } from '../suites/runner.js';
import { readBaseline, type Baseline } from './baseline.js';
import { DEFAULTS, freshSeed, listItems, parseDuration, type ConformanceOptions } from './options.js';
import { packageInfo } from './package-info.js';
import { parseFormats } from './report-files.js';
import { reproducer, type ReproduceStyle } from './reproduce.js';
import { selectSpecs, specDeviationsConfig, type SpecIo } from './select-specs.js';
import { parseShard, shardName, type Shard } from './shard.js';
import { parseAuth, parseUrl, resolveSecret, selectEvents } from './target-options.js';
import { UsageError } from './usage-error.js';

/** The options a plan is made from: the library's (the caller's hooks aside), the target checked here. */
export type PlanOptions = Partial<Omit<ConformanceOptions, 'cwd' | 'signal' | 'onProgress'>>;

export interface PlanContext extends SpecIo {
  env: NodeJS.ProcessEnv;
  /** How an option is named in messages: `--events`, `events`, `events (conformance.config.json)`. */
  nameOf(key: keyof PlanOptions): string;
  reproduce: ReproduceStyle;
}

export interface JobPlan {
  /** A URL, or a handler to serve for the run. */
  target: { url: URL } | { handler: InProcessHandler; path: string };
  /** What reports call the target: its URL, or `in-process fetch handler at /zoom/webhook`. */
  targetLabel: string;
  secret: string;
  specs: Spec[];
  events: WebhookEvent[];
  suites: SuiteId[];
  checkFilter?: (check: Check) => boolean;
  auth?: EndpointAuth;
  observer?: Observer;
  /** An in-process target's observer: this path of the served target, asked over HTTP. */
  observerPath?: string;
  seed: number;
  insecure: boolean;
  shard?: Shard;
  /** Report formats to write, into `outDir` (absolute). */
  formats: string[];
  outDir: string;
  baseline?: Baseline;
  tool: string;
  version: string;
  /** The run's settings as the report records them (examples, deadline, concurrency, burst, copies, retry-after, ...). */
  config: ConformanceReport['config'] & Required<Pick<ConformanceReport['config'], 'copies' | 'retryAfterMs'>>;
  redaction: Redaction;
  reproduce: (check: Check, event: string | undefined) => string;
}

/** Names as the library writes them: the option's own key. */
export function optionName(key: string): string {
  return key;
}

/** Names as the command line writes them: `--system` for `systems`, `--retry-after` for `retryAfter`. */
export function flagName(key: string): string {
  const singular: Record<string, string> = { systems: 'system', suites: 'suite', headers: 'header' };
  return `--${(singular[key] ?? key).replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

export async function planJob(options: PlanOptions, context: PlanContext): Promise<JobPlan> {
  const name = context.nameOf;
  const target = resolveTarget(options, name);
  const secret = resolveSecret(options, context, name('secret'));
  if (options.systems !== undefined && options.spec !== undefined) throw new UsageError(`give ${name('systems')} or ${name('spec')}, not both`);
  const systemNames = listItems(options.systems);
  const specFiles = listItems(options.spec);
  const specs = await selectSpecs(
    { ...(systemNames ? { system: systemNames.join(',') } : {}), ...(specFiles ? { spec: specFiles } : {}), ...(options.specStrict ? { specStrict: true } : {}) },
    context,
    WEBHOOK_SYSTEMS,
  );
  const allEvents = specs.flatMap((spec) => spec.events);
  if (allEvents.length === 0) throw new UsageError(`${specs.map((spec) => spec.system).join(', ')} describes no webhook events (REST operations are tested by \`conformance api\`)`);
  const eventGlobs = listItems(options.events);
  const events = selectEvents(allEvents, eventGlobs?.join(','), name('events'));
  const suites = selectSuites(listItems(options.suites), name('suites'));
  const checkFilter = selectChecks(listItems(options.checks), suites, name('checks'));
  const headers = headerLines(options.headers);
  const auth = parseAuth(
    { ...(options.basic !== undefined ? { basic: options.basic } : {}), ...(options.bearer !== undefined ? { bearer: options.bearer } : {}), header: headers },
    { basic: name('basic'), bearer: name('bearer'), header: name('headers') },
  );
  const formats = parseFormats(options.report, name('report'));
  const deadlineMs = options.deadline ?? DEFAULTS.deadline;
  const observerPath = typeof options.observe === 'string' && options.observe.startsWith('/') ? options.observe : undefined;
  if (observerPath !== undefined && 'url' in target) throw new UsageError(`${name('observe')} is a path: that is for an in-process target; give the URL of your observer`);
  const observer = observerPath === undefined ? resolveObserver(options.observe, deadlineMs, name('observe')) : undefined;
  const retryAfterMs = typeof options.retryAfter === 'string' ? parseDuration(options.retryAfter, name('retryAfter')) : (options.retryAfter ?? DEFAULT_RETRY_AFTER_MS);
  const shard = options.shard !== undefined ? parseShard(options.shard, name('shard')) : undefined;
  const seed = options.seed !== undefined ? options.seed | 0 : freshSeed();
  const settings = {
    examples: options.examples ?? DEFAULTS.examples,
    deadlineMs,
    concurrency: options.concurrency ?? DEFAULTS.concurrency,
    burst: options.burst ?? DEFAULTS.burst,
    copies: options.copies ?? DEFAULT_COPIES,
    retryAfterMs,
  };
  const baseline = options.baseline !== undefined ? await readBaseline(path.resolve(context.cwd, options.baseline), context.cwd) : undefined;
  const { name: tool, version } = packageInfo();
  const systems = specs.map((spec) => spec.system);
  const targetLabel = 'url' in target ? target.url.href : `${target.handler.description} at ${target.path}`;
  return {
    target,
    targetLabel,
    secret,
    specs,
    events,
    suites,
    ...(checkFilter ? { checkFilter } : {}),
    ...(auth ? { auth } : {}),
    ...(observer ? { observer } : {}),
    ...(observerPath !== undefined ? { observerPath } : {}),
    seed,
    insecure: options.insecure === true,
    ...(shard ? { shard } : {}),
    formats,
    outDir: path.resolve(context.cwd, options.out ?? DEFAULTS.out),
    ...(baseline ? { baseline } : {}),
    tool,
    version,
    config: {
      systems,
      suites,
      events: events.length,
      ...settings,
      observer: observer !== undefined || observerPath !== undefined,
      strict: options.strict === true,
      ...(shard ? { shard: shardName(shard) } : {}),
      ...specDeviationsConfig(specs, context.cwd),
    },
    redaction: { secret, credentialHeaders: credentialHeaderNames(auth) },
    reproduce: reproducer({
      style: context.reproduce,
      url: 'url' in target ? target.url : undefined,
      seed,
      ...(systemNames ? { systems } : {}),
      ...(specFiles ? { spec: specFiles } : {}),
      ...(options.specStrict ? { specStrict: true } : {}),
      ...settings,
      ...((typeof options.observe === 'string' && observerPath === undefined) || options.observe instanceof URL ? { observe: String(options.observe) } : {}),
      basic: options.basic !== undefined,
      bearer: options.bearer !== undefined,
      headerNames: auth?.headers?.map(([header]) => header) ?? [],
      insecure: options.insecure === true,
      events: new Set(events.map((event) => event.name)),
    }),
  };
}

function resolveTarget(options: PlanOptions, name: PlanContext['nameOf']): JobPlan['target'] {
  const value = options.target as unknown;
  if (value === undefined || value === '') throw new UsageError(`${name('target')} is required: the URL where your receiver takes Zoom webhooks${name('target') === '--target' ? '' : ', or its request listener or fetch handler'}`);
  if (typeof value === 'string' || value instanceof URL) {
    if (options.path !== undefined) throw new UsageError(`${name('path')} is for an in-process target; with a URL, the path is part of it`);
    return { url: parseUrl(String(value), name('target')) };
  }
  const handler = inProcessHandler(value);
  if (!handler) throw new UsageError(`${name('target')} must be a URL, a request listener (req, res), a fetch handler (request) => Response or an object with a fetch method`);
  const servedPath = options.path ?? DEFAULTS.path;
  if (!servedPath.startsWith('/')) throw new UsageError(`${name('path')} must start with /, got "${servedPath}"`);
  return { handler, path: servedPath };
}

function resolveObserver(value: PlanOptions['observe'], deadlineMs: number, name: string): Observer | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return new FunctionObserver(value, observerTiming(deadlineMs));
  return new HttpObserver(parseUrl(String(value), name), observerTiming(deadlineMs));
}

/** How long the observer may take to answer (the run's deadline), and to settle on a count. */
export function observerTiming(deadlineMs: number): { timeoutMs: number; settleMs: number } {
  return { timeoutMs: deadlineMs, settleMs: 2000 };
}

/** `["x-name: value"]` or `{ "x-name": "value" }` as `name: value` lines. */
function headerLines(value: PlanOptions['headers']): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return [...(value as readonly string[])];
  return Object.entries(value as Record<string, string>).map(([header, text]) => `${header}: ${text}`);
}

export function selectSuites(names: string[] | undefined, name: string): SuiteId[] {
  if (names === undefined) return [...SUITE_IDS];
  if (names.length === 0) throw new UsageError(`${name} needs at least one suite name`);
  for (const suite of names) {
    if (!(SUITE_IDS as readonly string[]).includes(suite)) throw new UsageError(`${name}: unknown suite "${suite}" (known: ${SUITE_IDS.join(', ')})`);
  }
  return SUITE_IDS.filter((id) => names.includes(id));
}

export function selectChecks(patterns: string[] | undefined, suites: SuiteId[], name: string): ((check: Check) => boolean) | undefined {
  if (patterns === undefined) return undefined;
  if (patterns.length === 0) throw new UsageError(`${name} needs at least one glob`);
  const candidates = ALL_CHECKS.filter((check) => suites.includes(check.suite));
  const matchers = patterns.map((pattern) => ({ pattern, match: picomatch(pattern) }));
  for (const { pattern, match } of matchers) {
    if (!candidates.some((check) => match(check.id))) throw new UsageError(`${name}: "${pattern}" matches no check of the selected suites (see: conformance checks)`);
  }
  return (check) => matchers.some(({ match }) => match(check.id));
}

