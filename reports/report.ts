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
import { applyBaseline, type Acceptance, type Baseline, type BaselineSection } from './baseline.js';
import { curlCommand } from './curl.js';
import { redactBytes, redactHeaders, redactText, redactUrl, type Redaction } from './redaction.js';
import { summarize, type LatencySummary, type Summary } from './summary.js';

/** Bumped when the shape changes incompatibly (2: findings, and the traits of every exchange). */
export const REPORT_VERSION = 2;

/** Request bodies up to this size are kept whole in failures; larger ones are cut (with their size and digest). */
const MAX_RECORDED_BODY = 256 * 1024;

/**
 * The size bound: failures recorded in full (headers, bodies, curl) per check, in report order, exchanges in full
 * per such failure (a burst has 50), and characters of bodies and curl commands in full records in the whole report
 * (2 MiB: some 700 exchanges of ordinary size, 30 of 64 KiB answers), shared out fairly: the first exchange of the
 * first failure of every check comes before the second of any. Beyond them exchanges are brief, as for passes:
 * label, method, URL, status or error, latency, and each body's size and digest (`omitted`), which is what a
 * diagnosis reads. A run against a receiver that fails everything with 64 KiB answers (300 MB unbounded) stays under
 * 10 MB, and its HTML page opens in well under a second.
 */
export const FULL_FAILURES_PER_CHECK = 3;
export const FULL_EXCHANGES_PER_FAILURE = 4;
const FULL_CHARACTERS = 2 * 1024 * 1024;

export interface BodyRecord {
  /** The bytes as text when they are UTF-8 (possibly cut, see `truncated`). */
  text?: string;
  /** The bytes in base64 when they are not UTF-8. */
  base64?: string;
  /** The bytes are not stored (a brief record): only their size and digest. */
  omitted?: true;
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
  /** Failed results a baseline accepts: its entry and reason (the verdict does not count them). */
  accepted?: Acceptance;
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
    /** Copies of a fresh delivery released at the same instant (webhook runs). */
    copies?: number;
    /** The earliest a late retry follows its original, in milliseconds (webhook runs and fuzz with --retry-after). */
    retryAfterMs?: number;
    observer: boolean;
    strict: boolean;
    /** `i/n` when this run was one shard of n (`--shard`). */
    shard?: string;
    /** API contract runs (`conformance api`): the operations checked, those left out (read-only run) and whether --unsafe was given. */
    operations?: number;
    operationsLeftOut?: number;
    unsafe?: boolean;
    /** `--spec` files read leniently: per file and kind of deviation from OpenAPI, how many and where (the first pointers). */
    specDeviations?: { file: string; kind: string; count: number; pointers: string[] }[];
  };
  /** Set on a report merged from shards (`conformance merge`): the shards it holds. */
  merged?: { shards: string[] };
  stopped: string | null;
  summary: Summary;
  /** The causes behind the failed results: each failed result names the one that explains it. */
  findings: Finding[];
  /** With a baseline (`--baseline`): the file, what it accepted, and each entry's status (`stale`: accepts nothing any more). */
  baseline?: BaselineSection;
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
  /** The latencies of every answered delivery, or their summary (a fuzz run keeps only that). */
  latencies: readonly number[] | LatencySummary | null;
  stopped?: string;
  config: ConformanceReport['config'];
  results: readonly CheckResult[];
  /** Failures accepted for now: the verdict counts only the others. */
  baseline?: Baseline;
}

export function buildReport(input: ReportInput, redaction: Redaction): ConformanceReport {
  // Ordered first, exchanges recorded after: whether a failure is kept in full depends on its place in the report.
  const resultOf = new Map<CheckRecord, CheckResult>();
  const checks = orderChecks(
    input.results.map((result) => {
      const record = checkRecord(result, redaction);
      resultOf.set(record, result);
      return record;
    }),
    input.config.systems,
  );
  const failures = new Map<string, number>();
  for (const record of checks) {
    const seen = record.status === 'fail' ? (failures.get(record.id) ?? 0) + 1 : 0;
    if (seen > 0) failures.set(record.id, seen);
    const full = seen > 0 && seen <= FULL_FAILURES_PER_CHECK;
    record.exchanges = resultOf.get(record)!.exchanges.map((exchange, index) => exchangeRecord(exchange, redaction, full && index < FULL_EXCHANGES_PER_FAILURE));
  }
  // The diagnosis reads what the bound keeps of every exchange (status, timing, traits): it runs on the bounded records.
  const { findings, checks: diagnosed } = withFindings(boundExchanges(checks), input.config.deadlineMs);
  // The baseline accepts findings by id: applied to the diagnosed records.
  const accepted = input.baseline ? applyBaseline(diagnosed, input.baseline) : undefined;
  const records = accepted?.checks ?? diagnosed;
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
    summary: summarize(records, { strict: input.config.strict, deliveries: input.deliveries, durationMs: input.durationMs, latencies: input.latencies, baseline: accepted !== undefined }),
    findings,
    ...(accepted ? { baseline: accepted.section } : {}),
    checks: records,
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

/** The record of a result, its exchanges left to `buildReport` (which knows its place in the report). */
function checkRecord(result: CheckResult, redaction: Redaction): CheckRecord {
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
    exchanges: [],
    ...(result.observed ? { observed: result.observed } : {}),
  };
}

/**
 * Applies the size bound to records in report order (also to a report merged from shards, each of which kept its
 * own first failures in full): full exchanges beyond it become brief; records within it are returned as they are.
 */
export function boundExchanges(checks: readonly CheckRecord[]): CheckRecord[] {
  // The full exchanges that may stay: of the first failures of each check, the first exchanges.
  const candidates: { check: number; exchange: number; failure: number; size: number }[] = [];
  const failures = new Map<string, number>();
  checks.forEach((record, check) => {
    const failure = record.status === 'fail' ? (failures.get(record.id) ?? 0) + 1 : 0;
    if (failure > 0) failures.set(record.id, failure);
    if (failure === 0 || failure > FULL_FAILURES_PER_CHECK) return;
    record.exchanges.forEach((exchange, index) => {
      if (index < FULL_EXCHANGES_PER_FAILURE && isFull(exchange)) candidates.push({ check, exchange: index, failure, size: fullCharacters(exchange) });
    });
  });
  // Shared out fairly: first failures before second ones, first exchanges before second ones, then report order.
  candidates.sort((a, b) => a.failure - b.failure || a.exchange - b.exchange || a.check - b.check);
  const kept = new Set<string>();
  let spent = 0;
  for (const candidate of candidates) {
    if (spent + candidate.size > FULL_CHARACTERS) continue;
    spent += candidate.size;
    kept.add(`${candidate.check}:${candidate.exchange}`);
  }
  return checks.map((record, check) => {
    if (!record.exchanges.some((exchange, index) => isFull(exchange) && !kept.has(`${check}:${index}`))) return record;
    return { ...record, exchanges: record.exchanges.map((exchange, index) => (isFull(exchange) && !kept.has(`${check}:${index}`) ? briefRecord(exchange) : exchange)) };
  });
}

function isFull(record: ExchangeRecord): boolean {
  return record.curl !== undefined || record.request.headers !== undefined || record.response?.headers !== undefined;
}

/** What a full record holds beyond a brief one, in characters: its bodies and its curl command. */
function fullCharacters(record: ExchangeRecord): number {
  const body = (body: BodyRecord | undefined) => (body?.text ?? body?.base64 ?? '').length;
  return body(record.request.body) + body(record.response?.body) + (record.curl?.length ?? 0);
}

/** A record without headers, body bytes or curl: what was sent and what came back, with each body's size and digest. */
function briefRecord(record: ExchangeRecord): ExchangeRecord {
  const { curl: _curl, request, response, ...rest } = record;
  const brief = (body: BodyRecord | undefined) => (body ? { body: { omitted: true as const, bytes: body.bytes, truncated: body.truncated, sha256: body.sha256 } } : {});
  return {
    ...rest,
    request: { method: request.method, url: request.url, ...brief(request.body) },
    ...(response ? { response: { status: response.status, ...brief(response.body) } } : {}),
  };
}

/**
 * A full record (headers, bodies, curl) for the first failures of a check; a brief one otherwise: what was sent
 * and what came back, with the size and digest of each body (`omitted`).
 */
export function exchangeRecord(exchange: Exchange, redaction: Redaction, full: boolean): ExchangeRecord {
  const { request, response, error } = exchange;
  const body = (bytes: Buffer, size: number, truncated: boolean) =>
    full ? bodyRecord(bytes, size, truncated, redaction, MAX_RECORDED_BODY) : omittedBody(bytes, size, truncated);
  const record: ExchangeRecord = {
    ...(request.label ? { label: redactText(request.label, redaction) } : {}),
    request: {
      method: request.method,
      url: redactUrl(request.url),
      ...(full ? { headers: redactHeaders(request.headers, redaction) } : {}),
      ...(request.body ? { body: body(request.body, request.body.length, false) } : {}),
    },
    ...(response
      ? {
          response: {
            status: response.status,
            ...(full ? { headers: redactHeaders(response.headers, redaction) } : {}),
            ...(full || response.bodyBytes > 0 ? { body: body(response.body, response.bodyBytes, response.truncated) } : {}),
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

/** The size and digest of bytes not stored. */
function omittedBody(bytes: Buffer, size: number, truncated: boolean): BodyRecord {
  return { omitted: true, bytes: size, truncated, sha256: createHash('sha256').update(bytes).digest('hex') };
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
