/**
 * A baseline: the failures a team has accepted for now, each with its reason, so that a run fails only on what is
 * new. An entry accepts either every failed result a finding explains (`finding`, up to the `level` it was recorded
 * at: a SHOULD finding that starts explaining MUST failures is new again), or the failed results of one check on some
 * events (`check`, `events`: names or globs; without `events` every event and the whole endpoint).
 *
 * Accepted results stay failures in every report, marked `accepted`; the verdict counts the others. An entry that
 * accepts nothing although its checks ran and passed is `stale` (the receiver improved: remove it). One that accepts
 * nothing while its checks did not run (another selection, a shard) or still fail under another finding (a run of
 * a subset of the checks can name a narrower cause: `stale-timestamps-accepted` for `no-freshness-window`) is
 * `unused`: nothing can be said of it.
 */
import picomatch from 'picomatch';
import type { Level } from '../suites/check.js';
import type { CheckRecord } from './report.js';

export interface BaselineEntry {
  /** A finding id (`reserialized-body`, `unexplained:signature.raw-body`): every failed result it explains. */
  finding?: string;
  /** With `finding`: the highest level accepted (absent: any). */
  level?: Level;
  /** With `finding`: the checks it explained when recorded (a run without them cannot call the entry stale). */
  checks?: string[];
  /** A check id: its failed results (on `events`, when given). */
  check?: string;
  /** With `check`: event names or globs (absent: every event, and the whole endpoint). */
  events?: string[];
  /** Why it is accepted: for the next reader of the file and of every report. */
  reason: string;
}

export interface Baseline {
  /** The file, as reports name it (relative to the working folder). */
  file: string;
  entries: BaselineEntry[];
}

export type EntryStatus = 'accepted' | 'stale' | 'unused';

/** The report's record of the baseline: each entry with what it did in this run. */
export interface BaselineSection {
  file: string;
  /** Failed results the baseline accepted. */
  accepted: number;
  /** Entries that accepted nothing although their checks ran and passed. */
  stale: number;
  entries: (BaselineEntry & { status: EntryStatus; results: number })[];
}

/** On a failed result the baseline accepts: which entry (index) and why. */
export interface Acceptance {
  entry: number;
  reason: string;
}

const LEVEL_RANK: Record<Level, number> = { MUST: 0, SHOULD: 1 };

/** Whether the entry accepts the failed record. */
function accepts(entry: BaselineEntry, record: CheckRecord, matchEvent: ((event: string) => boolean) | undefined): boolean {
  if (entry.finding !== undefined) {
    return record.finding === entry.finding && (entry.level === undefined || LEVEL_RANK[record.level] >= LEVEL_RANK[entry.level]);
  }
  if (record.id !== entry.check) return false;
  if (!matchEvent) return true;
  return record.event !== null && matchEvent(record.event);
}

/**
 * What became of an entry that accepted nothing: `stale` when the results it is about (its check on its events, the
 * checks recorded with its finding) ran and passed; for a finding entry recorded without its checks, when the finding
 * does not occur at all in a run that ran something. Otherwise `unused`.
 */
function unmatchedStatus(entry: BaselineEntry, records: readonly CheckRecord[], matchEvent: ((event: string) => boolean) | undefined): EntryStatus {
  const ran = records.filter((record) => record.status !== 'skip');
  const about =
    entry.check !== undefined
      ? ran.filter((record) => record.id === entry.check && (!matchEvent || (record.event !== null && matchEvent(record.event))))
      : entry.checks && entry.checks.length > 0
        ? ran.filter((record) => entry.checks!.includes(record.id))
        : undefined;
  if (about) return about.length > 0 && about.every((record) => record.status === 'pass') ? 'stale' : 'unused';
  return ran.length > 0 && !records.some((record) => record.finding === entry.finding) ? 'stale' : 'unused';
}

/** Marks the failed records the baseline accepts (the first entry that accepts one is its reason) and records the entries. */
export function applyBaseline(records: readonly CheckRecord[], baseline: Baseline): { checks: CheckRecord[]; section: BaselineSection } {
  const matchers = baseline.entries.map((entry) => (entry.check !== undefined && entry.events ? eventMatcher(entry.events) : undefined));
  const results = baseline.entries.map(() => 0);
  const checks = records.map((record): CheckRecord => {
    const { accepted: _previous, reproduce, exchanges, observed, ...head } = record;
    const index = record.status === 'fail' ? baseline.entries.findIndex((entry, at) => accepts(entry, record, matchers[at])) : -1;
    if (index >= 0) results[index]!++;
    // After its finding, where a reader of the JSON looks.
    const accepted = index >= 0 ? { accepted: { entry: index, reason: baseline.entries[index]!.reason } } : {};
    return { ...head, ...accepted, reproduce, exchanges, ...(observed ? { observed } : {}) };
  });
  const entries = baseline.entries.map((entry, index) => {
    const status: EntryStatus = results[index]! > 0 ? 'accepted' : unmatchedStatus(entry, checks, matchers[index]);
    return { ...entry, status, results: results[index]! };
  });
  return {
    checks,
    section: { file: baseline.file, accepted: results.reduce((sum, count) => sum + count, 0), stale: entries.filter((entry) => entry.status === 'stale').length, entries },
  };
}

/** How an entry is named in one line: `finding reserialized-body`, `check robustness.burst on meeting.started`. */
export function entryName(entry: BaselineEntry): string {
  if (entry.finding !== undefined) return `finding ${entry.finding}`;
  return `check ${entry.check}${entry.events ? ` on ${entry.events.join(', ')}` : ''}`;
}

function eventMatcher(events: readonly string[]): (event: string) => boolean {
  const matchers = events.map((pattern) => picomatch(pattern, { dot: true }));
  return (event) => matchers.some((match) => match(event));
}

/** The failed results of a finding that a baseline accepts. */
export function acceptedResults(report: { checks: readonly CheckRecord[] }, finding: string): number {
  return report.checks.filter((check) => check.status === 'fail' && check.finding === finding && check.accepted).length;
}
