/**
 * Every check this tool has, in the order `conformance checks` lists them (the webhook suites, the fuzzer's
 * properties, the REST API contract checks), as plain rows: what the command prints and the library returns.
 */
import { API_CHECKS } from './api/checks.js';
import type { Check, EvidenceRule, Level, SuiteId } from './check.js';
import { FUZZ_CHECKS } from './fuzz-cases.js';
import { ALL_CHECKS as WEBHOOK_CHECKS } from './index.js';
import { LATE_RETRY_CHECK } from './late-retries.js';
import { LIFECYCLE_CHECK } from './lifecycle-scenario.js';

export interface CheckInfo {
  id: string;
  suite: SuiteId;
  level: Level;
  title: string;
  /** Why it matters, in one sentence. */
  rationale: string;
  /** It needs the observer (`--observe`, `observe`). */
  needsObserver: boolean;
  /** How a pass that rests on dropped deliveries is weighed (null: it needs no such evidence). */
  evidence: EvidenceRule | null;
  /** A property of `conformance fuzz`. */
  fuzz: boolean;
}

/** The fuzzer's properties (some are webhook checks too). */
export const FUZZ_ONLY: readonly Check[] = [...new Set([...Object.values(FUZZ_CHECKS), LIFECYCLE_CHECK, LATE_RETRY_CHECK])];

/** Every check, each once: the webhook suites', the fuzzer's, the API contract's. */
export const EVERY_CHECK: readonly Check[] = [...WEBHOOK_CHECKS, ...FUZZ_ONLY, ...API_CHECKS];

export function checkList(): CheckInfo[] {
  return EVERY_CHECK.map(({ id, suite, level, title, rationale, needsObserver, evidence }) => ({
    id,
    suite,
    level,
    title,
    rationale,
    needsObserver: needsObserver === true,
    evidence: evidence ?? null,
    fuzz: FUZZ_ONLY.some((check) => check.id === id),
  }));
}
