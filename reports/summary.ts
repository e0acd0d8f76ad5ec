/**
 * Totals of a run, shared by every report format: by level, by suite and level, the verdict and the latencies; and
 * the findings in a few words.
 */
import { Latencies, type LatencySummary } from '../engine/latencies.js';
import type { Finding } from '../findings/finding.js';
import { ALL_SUITE_IDS, type Level, type Status, type SuiteId } from '../suites/check.js';

export type Tally = Record<Status, number>;

export type { LatencySummary };

export interface Summary {
  /** `pass`: no MUST failure (with strict: no failure at all). */
  verdict: 'pass' | 'fail';
  strict: boolean;
  total: Tally;
  byLevel: Record<Level, Tally>;
  bySuite: Partial<Record<SuiteId, Record<Level, Tally>>>;
  deliveries: number;
  deliveriesPerSecond: number;
  latencyMs: LatencySummary | null;
  /** With a baseline: the failures it accepted, by level (counted in `total` and `byLevel`, not in the verdict). */
  accepted?: Record<Level, number>;
}

export function emptyTally(): Tally {
  return { pass: 0, fail: 0, skip: 0 };
}

/** What the totals count of one result (a check record of the report has these fields). */
export interface Counted {
  suite: SuiteId;
  level: Level;
  status: Status;
  /** Set on a failure a baseline accepts. */
  accepted?: unknown;
}

export interface SummaryOptions {
  strict: boolean;
  deliveries: number;
  durationMs: number;
  /** The latencies of every answered delivery, or their summary when only that is known (merged shards, fuzz runs). */
  latencies: readonly number[] | LatencySummary | null;
  /** A baseline was applied: count what it accepted (`accepted`), and leave it out of the verdict. */
  baseline?: boolean;
}

export function summarize(results: readonly Counted[], options: SummaryOptions): Summary {
  const total = emptyTally();
  const byLevel: Record<Level, Tally> = { MUST: emptyTally(), SHOULD: emptyTally() };
  const bySuite: Summary['bySuite'] = {};
  const accepted: Record<Level, number> = { MUST: 0, SHOULD: 0 };
  for (const result of results) {
    total[result.status]++;
    byLevel[result.level][result.status]++;
    const suite = (bySuite[result.suite] ??= { MUST: emptyTally(), SHOULD: emptyTally() });
    suite[result.level][result.status]++;
    if (result.status === 'fail' && result.accepted !== undefined) accepted[result.level]++;
  }
  // Keep the suites in their run order.
  const ordered: Summary['bySuite'] = {};
  for (const id of ALL_SUITE_IDS) if (bySuite[id]) ordered[id] = bySuite[id];
  // What the verdict counts: the failures no baseline accepts.
  const mustFailures = byLevel.MUST.fail - accepted.MUST;
  const failed = options.strict ? mustFailures + byLevel.SHOULD.fail - accepted.SHOULD > 0 : mustFailures > 0;
  return {
    verdict: failed ? 'fail' : 'pass',
    strict: options.strict,
    total,
    byLevel,
    bySuite: ordered,
    deliveries: options.deliveries,
    deliveriesPerSecond: options.durationMs > 0 ? Math.round((options.deliveries / options.durationMs) * 1000) : 0,
    latencyMs: isLatencyList(options.latencies) ? latencySummary(options.latencies) : options.latencies,
    ...(options.baseline ? { accepted } : {}),
  };
}

function isLatencyList(value: SummaryOptions['latencies']): value is readonly number[] {
  return Array.isArray(value);
}

export function latencySummary(latencies: readonly number[]): LatencySummary | null {
  return Latencies.of(latencies).summary();
}

/** `3 causes behind 840 failed results`, `1 cause and 2 checks unexplained behind 45 failed results`. */
export function findingsHeadline(report: { findings: readonly Pick<Finding, 'id'>[]; summary: Pick<Summary, 'total'> }): string {
  const named = report.findings.filter((finding) => !finding.id.startsWith('unexplained:')).length;
  const unexplained = report.findings.length - named;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const parts = [named > 0 || unexplained === 0 ? plural(named, 'cause') : 'no cause named', unexplained > 0 ? `${plural(unexplained, 'check')} unexplained` : ''].filter(Boolean);
  return `${parts.join(' and ')} behind ${plural(report.summary.total.fail, 'failed result')}`;
}
