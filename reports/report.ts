/**
 * The report: a run's results as one plain, serializable object. It is the JSON report itself, and every other
 * format renders from it (so reports of shards can be merged and re-rendered). Everything a target returned and
 * every credential is redacted here, once; renderers still escape for their own syntax.
 */
import { createHash } from 'node:crypto';
import type { Exchange, RequestTraits } from '../engine/http.js';
import { diagnose } from '../findings/diagnose.js';
import type { Finding } from '../findings/finding.js';
import { ALL_SUITE_IDS, type CheckResult, type Level, type Observation, type Status, type SuiteId } from '../suites/check.js';
import { ALL_CHECKS } from '../suites/index.js';
import { curlCommand } from './curl.js';
import { redactBytes, redactHeaders, redactText, redactUrl, type Redaction } from './redaction.js';
import { summarize, type Summary } from './summary.js';

/** Bumped when the shape changes incompatibly (2: findings, and the traits of every exchange). */
export const REPORT_VERSION = 2;

/** Request bodies up to this size are kept whole in failures; larger ones are cut (with their size and digest). */
const MAX_RECORDED_BODY = 256 * 1024;

export interface BodyRecord {
  /** The bytes as text when they are UTF-8 (possibly cut, see `truncated`). */
  text?: string;
  /** The bytes in base64 when they are not UTF-8. */
  base64?: string;
  bytes: number;
  truncated: boolean;
  sha256: string;
}

export interface ExchangeRecord {
  label?: string;
  request: { method: string; url: string; headers?: Record<string, string | string[]>; body?: BodyRecord };
  response?: { status: number; headers?: Record<string, string | string[]>; body?: BodyRecord };
  error?: { kind: string; message: string };
  startedAt: string;
  latencyMs: number;
  /** What the sender knows of the request (how it was signed, what its body is): what the diagnosis reads. */
  traits?: RequestTraits;
  /** The request as a curl command (failures only; signatures expire after the receiver's freshness window). */
  curl?: string;
}

export interface CheckRecord {
  id: string;
  suite: SuiteId;
  level: Level;
  title: string;
  rationale: string;
  event: string | null;
  /** The spec the event belongs to (`meetings`, `video-sdk`, ...); null for checks of the whole endpoint. */
  system: string | null;
  status: Status;
  reason: string | null;
  reproduce: string;
  exchanges: ExchangeRecord[];
  /** What the observer reported, for the checks that ask it. */
  observed?: Observation;
  /** Failed results: the id of the finding that explains it (one of `findings`). */
  finding?: string;
}

export interface ConformanceReport {
  tool: string;
  version: string;
  reportVersion: number;
  target: string;
  seed: number;
  startedAt: string;
  durationMs: number;
  config: {
    systems: string[];
    suites: SuiteId[];
    events: number;
    examples: number;
    deadlineMs: number;
    concurrency: number;
    burst: number;
    observer: boolean;
    strict: boolean;
    /** `i/n` when this run was one shard of n (`--shard`). */
    shard?: string;
    /** API contract runs (`conformance api`): the operations checked, those left out (read-only run) and whether --unsafe was given. */
    operations?: number;
    operationsLeftOut?: number;
    unsafe?: boolean;
  };
  /** Set on a report merged from shards (`conformance merge`): the shards it holds. */
  merged?: { shards: string[] };
  stopped: string | null;
  summary: Summary;
  /** The causes behind the failed results: each failed result names the one that explains it. */
  findings: Finding[];
  checks: CheckRecord[];
}

export interface ReportInput {
  tool: string;
  version: string;
  target: string;
  seed: number;
  startedAt: Date;
  durationMs: number;
  deliveries: number;
  latencies: readonly number[];
  stopped?: string;
  config: ConformanceReport['config'];
  results: readonly CheckResult[];
}

export function buildReport(input: ReportInput, redaction: Redaction): ConformanceReport {
  const { findings, checks } = withFindings(
    orderChecks(
      input.results.map((result) => checkRecord(result, redaction)),
      input.config.systems,
    ),
    input.config.deadlineMs,
  );
  return {
    tool: input.tool,
    version: input.version,
    reportVersion: REPORT_VERSION,
    target: redactUrl(input.target),
    seed: input.seed,
    startedAt: input.startedAt.toISOString(),
    durationMs: Math.round(input.durationMs),
    config: input.config,
    stopped: input.stopped ?? null,
    summary: summarize(checks, { strict: input.config.strict, deliveries: input.deliveries, durationMs: input.durationMs, latencies: input.latencies }),
    findings,
    checks,
  };
}

/**
 * Diagnoses the results (findings/): the findings, and the records with the `finding` of each failed one (after its
 * reason, where a reader of the JSON looks). A merged report is diagnosed again this way, from its records alone.
 */
export function withFindings(checks: readonly CheckRecord[], deadlineMs: number): { findings: Finding[]; checks: CheckRecord[] } {
  const { findings, explainedBy } = diagnose({ results: checks, deadlineMs });
  return {
    findings,
    checks: checks.map((check, index) => {
      const { finding: _previous, reproduce, exchanges, observed, ...head } = check;
      const id = explainedBy[index];
      return { ...head, ...(id !== undefined ? { finding: id } : {}), reproduce, exchanges, ...(observed ? { observed } : {}) };
    }),
  };
}

const CHECK_RANK = new Map(ALL_CHECKS.map((check, index) => [check.id, index]));

/**
 * The order of `checks` in every report, whatever order the results were reached in: by suite and check (the order
 * of `conformance checks`), then the checks of the whole endpoint, then by system (the order of `systems`) and
 * event name. So two runs, or a run and its merged shards, list the same results in the same order.
 */
export function orderChecks(checks: CheckRecord[], systems: readonly string[]): CheckRecord[] {
  const suiteRank = (suite: SuiteId) => ALL_SUITE_IDS.indexOf(suite);
  const systemRank = (system: string | null) => (system === null ? -1 : systems.includes(system) ? systems.indexOf(system) : systems.length);
  const text = (value: string | null) => value ?? '';
  return checks.sort(
    (a, b) =>
      suiteRank(a.suite) - suiteRank(b.suite) ||
      (CHECK_RANK.get(a.id) ?? CHECK_RANK.size) - (CHECK_RANK.get(b.id) ?? CHECK_RANK.size) ||
      compareText(a.id, b.id) ||
      systemRank(a.system) - systemRank(b.system) ||
      (a.event === null ? -1 : 0) - (b.event === null ? -1 : 0) ||
      compareText(text(a.event), text(b.event)),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkRecord(result: CheckResult, redaction: Redaction): CheckRecord {
  const full = result.status === 'fail';
  return {
    id: result.check.id,
    suite: result.check.suite,
    level: result.check.level,
    title: result.check.title,
    rationale: result.check.rationale,
    event: result.event ?? null,
    system: result.system ?? null,
    status: result.status,
    reason: result.reason === undefined ? null : redactText(result.reason, redaction),
    reproduce: result.reproduce,
    exchanges: result.exchanges.map((exchange) => exchangeRecord(exchange, redaction, full)),
    ...(result.observed ? { observed: result.observed } : {}),
  };
}

/** A full record (headers, bodies, curl) for failures; a brief one (what was sent, what came back) otherwise. */
export function exchangeRecord(exchange: Exchange, redaction: Redaction, full: boolean): ExchangeRecord {
  const { request, response, error } = exchange;
  const record: ExchangeRecord = {
    ...(request.label ? { label: redactText(request.label, redaction) } : {}),
    request: {
      method: request.method,
      url: redactUrl(request.url),
      ...(full ? { headers: redactHeaders(request.headers, redaction) } : {}),
      ...(full && request.body ? { body: bodyRecord(request.body, request.body.length, false, redaction, MAX_RECORDED_BODY) } : {}),
    },
    ...(response
      ? {
          response: {
            status: response.status,
            ...(full ? { headers: redactHeaders(response.headers, redaction) } : {}),
            ...(full ? { body: bodyRecord(response.body, response.bodyBytes, response.truncated, redaction, MAX_RECORDED_BODY) } : {}),
          },
        }
      : {}),
    ...(error ? { error: { kind: error.kind, message: redactText(error.message, redaction) } } : {}),
    startedAt: new Date(exchange.startedAt).toISOString(),
    latencyMs: Math.round(exchange.latencyMs * 10) / 10,
    ...(request.traits ? { traits: request.traits } : {}),
    ...(full ? { curl: curlCommand(request, redaction, { maxBodyBytes: MAX_RECORDED_BODY }) } : {}),
  };
  return record;
}

function bodyRecord(bytes: Buffer, size: number, truncated: boolean, redaction: Redaction, limit: number): BodyRecord {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const kept = redactBytes(bytes.length > limit ? bytes.subarray(0, limit) : bytes, redaction);
  const cut = truncated || bytes.length > limit;
  const text = kept.toString('utf8');
  // A cut can split a character; only bytes that are not UTF-8 at all go to base64.
  const utf8 = Buffer.from(text, 'utf8').equals(kept) || (cut && !text.slice(0, -1).includes('\ufffd'));
  return { ...(utf8 ? { text } : { base64: kept.toString('base64') }), bytes: size, truncated: cut, sha256 };
}
