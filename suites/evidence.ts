/**
 * The evidence rule: a pass means we saw the receiver do the right thing, never merely that nothing went wrong
 * because nothing came back.
 *
 * A check marked with `evidence` (see `Check.evidence`) passes only when each delivery its pass rests on was
 * answered by the target (a status: a rejection, or an answer that gives nothing away), or was dropped (no answer:
 * the connection reset or closed, or the deadline passed) while the target acknowledged valid deliveries in the same
 * run. A target that acknowledged nothing valid proves nothing by dropping a delivery: it may be down, or drop
 * everything. Such a pass becomes a skip, "inconclusive", with that reason. Verdicts other than a pass are kept.
 *
 * The runner and the fuzzer apply it generically after the run, so a check opts in with one line.
 */
import type { Exchange } from '../engine/http.js';
import type { Check, EvidenceRule, Status } from './check.js';
import { noAnswer } from './outcome.js';

/** What happened to the deliveries a pass rests on. */
export interface EvidenceTally {
  /** Deliveries the target answered (with any status). */
  answered: number;
  /** Deliveries it dropped: no answer (reset, closed, timed out). */
  dropped: number;
  /** How the first dropped one ended, for the reason (`no response within 3000 ms`; no timing, so reasons group). */
  firstDrop?: string;
}

export function emptyTally(): EvidenceTally {
  return { answered: 0, dropped: 0 };
}

/** Adds one delivery to a tally. */
export function countExchange(tally: EvidenceTally, exchange: Exchange): void {
  // An attempt the sender abandoned on purpose (idempotency) was not the target's to answer: it weighs nothing.
  if (exchange.error?.kind === 'abandoned') return;
  if (exchange.response) tally.answered++;
  else {
    tally.dropped++;
    tally.firstDrop ??= noAnswer(exchange);
  }
}

export function tallyOf(exchanges: readonly Exchange[]): EvidenceTally {
  const tally = emptyTally();
  for (const exchange of exchanges) countExchange(tally, exchange);
  return tally;
}

/** Whether the verdict of this result can only be settled once the run is over (a pass resting on dropped deliveries). */
export function awaitsRunEvidence(check: Check, status: Status, tally: EvidenceTally): boolean {
  return check.evidence !== undefined && status === 'pass' && tally.dropped > 0;
}

const DROPPED: Record<EvidenceRule, string> = {
  rejection: 'a delivery it drops is no proof that it rejects it',
  idempotency: 'a copy it drops proves nothing about how it handles copies',
};

/**
 * The verdict the evidence supports. `validAcknowledged`: valid deliveries (correctly signed, fresh, POST) the target
 * acknowledged in the run.
 */
export function weighEvidence(
  check: Check,
  verdict: { status: Status; reason?: string },
  tally: EvidenceTally,
  validAcknowledged: number,
): { status: Status; reason?: string } {
  if (check.evidence === undefined || verdict.status !== 'pass') return verdict;
  if (tally.answered + tally.dropped === 0) return { status: 'skip', reason: 'inconclusive: no delivery was recorded for this result' };
  if (tally.dropped === 0) return verdict;
  const dropped = `${tally.dropped} ${tally.dropped === 1 ? 'delivery' : 'deliveries'} got no answer (${tally.firstDrop ?? 'dropped'})`;
  if (validAcknowledged === 0) {
    return { status: 'skip', reason: `inconclusive: ${dropped} and the target acknowledged no valid delivery in this run: ${DROPPED[check.evidence]}` };
  }
  const because = `${dropped} while the target acknowledged ${validAcknowledged} valid ${validAcknowledged === 1 ? 'delivery' : 'deliveries'} in this run`;
  return { status: 'pass', reason: verdict.reason ? `${verdict.reason}; ${because}` : because };
}

/** The rule in words, for `conformance checks`. */
export const EVIDENCE_RULE =
  'a check marked "needs evidence" passes only on what the target did with each delivery the pass rests on: it ' +
  'answered it (a rejection, or an answer that gives nothing away; for idempotency, its acknowledgement), or it ' +
  'dropped it (reset, closed, no answer in time) while it acknowledged valid deliveries in the same run. A target ' +
  'that acknowledged no valid delivery in the run proves nothing by dropping one: such a pass is skipped as ' +
  'inconclusive, with that reason.';
