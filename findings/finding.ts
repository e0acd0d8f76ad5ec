/**
 * What the diagnosis reads and what it concludes.
 *
 * It reads a run's results as the JSON report keeps them (reports/report.ts CheckRecord satisfies `ResultEvidence`):
 * status, level, the exchanges' statuses, errors, latencies, labels and traits (engine/http.ts RequestTraits), and
 * what the observer reported. Nothing else: a report merged from shards, or one whose exchanges were cut down to
 * brief records, is diagnosed exactly like the run it came from.
 *
 * It concludes findings: each names one cause behind failed results, with the evidence, the fix and the parameter
 * the evidence brackets. Every failed result is explained by exactly one finding; failures no rule recognises
 * become `unexplained:<check id>`.
 */
import type { RequestTraits } from '../engine/http.js';
import type { Level, Observation, Status, SuiteId } from '../suites/check.js';
import type { Run } from './run.js';

export interface ExchangeEvidence {
  label?: string;
  request: { method: string };
  response?: { status: number };
  error?: { kind: string };
  latencyMs: number;
  traits?: RequestTraits;
  /** Present when the report kept the exchange in full (a failure shown with its curl command). */
  curl?: string;
}

export interface ResultEvidence {
  id: string;
  suite: SuiteId;
  level: Level;
  title: string;
  event: string | null;
  status: Status;
  reproduce: string;
  exchanges: readonly ExchangeEvidence[];
  observed?: Observation;
}

export interface RunEvidence {
  results: readonly ResultEvidence[];
  /** The per-delivery deadline of the run. */
  deadlineMs: number;
}

/** A parameter of the receiver that the evidence brackets: its value lies between `atLeast` and `atMost`. */
export interface Parameter {
  name: string;
  /** The bracket in words (`between 100 KB and 104 KB`, `at least 600 s`). */
  value: string;
  unit?: 'bytes' | 'seconds' | 'ms';
  atLeast?: number;
  atMost?: number;
}

/** The exchange that shows a finding best, and where it is. */
export interface FindingExample {
  check: string;
  event: string | null;
  /** Its index among the result's exchanges; null when the result as a whole shows it. */
  exchange: number | null;
  /** What was sent and what came back, in words. */
  description: string;
  reproduce: string;
}

export interface Finding {
  /** Stable: `reserialized-body`, `crashes-on-string.astral-emoji`, `unexplained:signature.raw-body`. */
  id: string;
  /** The highest level among the results it explains. */
  level: Level;
  title: string;
  /** One sentence. */
  cause: string;
  /** What to change. */
  fix: string;
  /** A short Node example of the fix, where one helps. */
  fixExample?: string;
  /** The checks whose failed results it explains, with how many of each. */
  checks: { id: string; results: number }[];
  /** Failed results it explains. */
  results: number;
  evidence: {
    /** What was seen that names the cause. */
    summary: string;
    example: FindingExample | null;
    parameter?: Parameter;
  };
}

/** A failed result (index into the run's results), or one exchange of it. */
export interface Claim {
  result: number;
  exchange?: number;
}

/** What a rule concludes when its evidence pattern holds. */
export interface Match {
  /** For rules that name a family (`crashes-on-<edge kind>`, `rejects-with-<status>`): this finding's id and words. */
  id?: string;
  title?: string;
  cause?: string;
  fix?: string;
  fixExample?: string;
  /** What was seen, in a sentence or two. */
  summary: string;
  /** The failed results, or exchanges of failed results, it explains. */
  claims: Claim[];
  /** The claim that shows it best (default: the first claimed exchange the report keeps in full). */
  example?: Claim;
  parameter?: Parameter;
}

/** A rule: one cause, the evidence pattern that names it, and what to change. */
export interface Rule {
  /** The finding's id, or the pattern of a family's ids (`crashes-on-<edge kind>`). */
  id: string;
  title: string;
  cause: string;
  fix: string;
  fixExample?: string;
  /** Zero matches when the pattern does not hold; one per cause found otherwise. */
  diagnose(run: Run): Match[];
}

/** Declares a rule (frozen, like checks). */
export function defineRule(rule: Rule): Rule {
  return Object.freeze(rule);
}
