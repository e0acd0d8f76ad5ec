/**
 * Merging the reports of a sharded run (`--shard i/n`) into the report of the whole run: the same checks in the same
 * order as one unsharded run of the seed gives, with totals recomputed. Only reports of one run can be merged: the
 * same tool, version, target, seed and configuration, each shard of the same n exactly once.
 */
import { applyBaseline, type Baseline, type BaselineSection } from './baseline.js';
import type { ConformanceReport } from './report.js';
import { boundExchanges, orderChecks, withFindings } from './report.js';
import { summarize, type LatencySummary } from './summary.js';

export class MergeError extends Error {
  override name = 'MergeError';
}

export interface ReportFile {
  /** Where it was read from (named in errors). */
  file: string;
  report: ConformanceReport;
}

/** Fields that must be equal in every report of one run (config is compared without its shard). */
const SAME_RUN: (keyof ConformanceReport)[] = ['tool', 'version', 'reportVersion', 'target', 'seed'];

export function mergeReports(inputs: readonly ReportFile[]): ConformanceReport {
  const first = inputs[0];
  if (!first) throw new MergeError('no report to merge');
  for (const input of inputs.slice(1)) {
    for (const field of SAME_RUN) {
      if (input.report[field] !== first.report[field]) {
        throw new MergeError(`${input.file} is not from the same run as ${first.file}: ${field} ${JSON.stringify(input.report[field])} differs from ${JSON.stringify(first.report[field])}`);
      }
    }
    const a = configOf(first.report);
    const b = configOf(input.report);
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const [left, right] = [JSON.stringify(a[key]), JSON.stringify(b[key])];
      if (left !== right) throw new MergeError(`${input.file} is not from the same run as ${first.file}: config.${key} ${right} differs from ${left}`);
    }
  }
  const shards = shardsOf(inputs);
  if (!shards) return first.report;

  const reports = inputs.map((input) => input.report);
  const seen = new Set<string>();
  for (const input of inputs) {
    for (const check of input.report.checks) {
      const key = `${check.id}\u0000${check.event ?? ''}`;
      if (seen.has(key)) throw new MergeError(`${input.file}: ${check.id} on ${check.event ?? 'the whole endpoint'} is in another shard too`);
      seen.add(key);
    }
  }
  const { shard: _shard, ...config } = first.report.config;
  // Each shard kept its own first failures in full: the merged report keeps those of the whole run. The shards'
  // findings each saw a part of the run: the whole run is diagnosed again.
  const { findings, checks } = withFindings(
    boundExchanges(
      orderChecks(
        reports.flatMap((report) => report.checks),
        config.systems,
      ),
    ),
    config.deadlineMs,
  );
  const startedAt = reports.map((report) => report.startedAt).sort()[0]!;
  // Shards run side by side: the run took as long as its longest shard.
  const durationMs = Math.max(...reports.map((report) => report.durationMs));
  const deliveries = reports.reduce((sum, report) => sum + report.summary.deliveries, 0);
  const stopped = reports.flatMap((report) => (report.stopped ? [`shard ${report.config.shard}: ${report.stopped}`] : []));
  // The shards' baseline (one for all, or none) accepts what it accepts of the whole run, and is stale where the whole run says so.
  const baseline = baselineOf(inputs);
  const accepted = baseline ? applyBaseline(checks, baseline) : undefined;
  return {
    tool: first.report.tool,
    version: first.report.version,
    reportVersion: first.report.reportVersion,
    target: first.report.target,
    seed: first.report.seed,
    startedAt,
    durationMs,
    config,
    merged: { shards },
    stopped: stopped.length > 0 ? stopped.join('; ') : null,
    summary: summarize(accepted?.checks ?? checks, { strict: config.strict, deliveries, durationMs, latencies: worstLatencies(reports), baseline: accepted !== undefined }),
    findings,
    ...(accepted ? { baseline: accepted.section } : {}),
    checks: accepted?.checks ?? checks,
  };
}

/** The baseline the shards were run with: the same in every one of them, or none in any. */
function baselineOf(inputs: readonly ReportFile[]): Baseline | undefined {
  const entriesOf = (section: BaselineSection | undefined) => JSON.stringify(section?.entries.map(({ status: _status, results: _results, ...entry }) => entry) ?? null);
  const first = inputs[0]!;
  for (const input of inputs.slice(1)) {
    if (entriesOf(input.report.baseline) !== entriesOf(first.report.baseline)) throw new MergeError(`${input.file} is not from the same run as ${first.file}: another baseline`);
  }
  const section = first.report.baseline;
  return section ? { file: section.file, entries: section.entries.map(({ status: _status, results: _results, ...entry }) => entry) } : undefined;
}

function configOf(report: ConformanceReport): Record<string, unknown> {
  const { shard: _shard, ...rest } = report.config;
  return rest;
}

/** The shards (`i/n`, in order) when the inputs are every shard of one n exactly once; undefined for one unsharded report. */
function shardsOf(inputs: readonly ReportFile[]): string[] | undefined {
  const unsharded = inputs.filter((input) => input.report.config.shard === undefined);
  if (unsharded.length > 0) {
    if (inputs.length === 1) return undefined;
    throw new MergeError(`${unsharded[0]!.file} is not a shard (run with --shard i/n); merge takes the shards of one run, or one report to render again`);
  }
  const parsed = inputs.map((input) => {
    const [index, count] = input.report.config.shard!.split('/').map(Number) as [number, number];
    return { file: input.file, index, count };
  });
  const count = parsed[0]!.count;
  const other = parsed.find((shard) => shard.count !== count);
  if (other) throw new MergeError(`${other.file} is shard ${other.index}/${other.count}, but ${parsed[0]!.file} is one of ${count}`);
  const byIndex = new Map<number, string>();
  for (const shard of parsed) {
    const twice = byIndex.get(shard.index);
    if (twice) throw new MergeError(`shard ${shard.index}/${count} is given twice: ${twice} and ${shard.file}`);
    byIndex.set(shard.index, shard.file);
  }
  const missing = Array.from({ length: count }, (_, at) => at + 1).filter((index) => !byIndex.has(index));
  if (missing.length > 0) throw new MergeError(`missing ${missing.map((index) => `shard ${index}/${count}`).join(', ')}: a merged report must hold the whole run`);
  return Array.from({ length: count }, (_, at) => `${at + 1}/${count}`);
}

/** Shards keep percentiles, not every latency: the merged figures are the worst shard's (an upper bound). */
function worstLatencies(reports: readonly ConformanceReport[]): LatencySummary | null {
  const known = reports.flatMap((report) => (report.summary.latencyMs ? [report.summary.latencyMs] : []));
  if (known.length === 0) return null;
  return {
    p50: Math.max(...known.map((latency) => latency.p50)),
    p90: Math.max(...known.map((latency) => latency.p90)),
    p99: Math.max(...known.map((latency) => latency.p99)),
    max: Math.max(...known.map((latency) => latency.max)),
  };
}
