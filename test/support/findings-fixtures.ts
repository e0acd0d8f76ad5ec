/**
 * Small runs written by hand for the rules' tests: results and exchanges as the report keeps them, with only what a
 * rule reads (status, error, latency, traits, what the observer reported).
 */
import type { RequestTraits } from '../../engine/http.js';
import type { ExchangeEvidence, ResultEvidence, RunEvidence } from '../../findings/finding.js';
import type { Level, Status } from '../../suites/check.js';
import { ALL_CHECKS } from '../../suites/index.js';

const LEVEL_OF = new Map(ALL_CHECKS.map((check) => [check.id, check.level]));
const FUZZ_LEVELS: Record<string, Level> = {
  'acknowledgement.fuzz-valid': 'MUST',
  'robustness.fuzz-edge-zoom': 'MUST',
  'robustness.fuzz-edge-hostile': 'SHOULD',
  'signature.fuzz-forgery': 'MUST',
  'robustness.fuzz-invalid': 'SHOULD',
  'idempotency.fuzz-lifecycle': 'MUST',
};

/** An answered exchange (a status) or one without an answer (`timeout`, `reset`), with its traits. */
export function x(answer: number | 'timeout' | 'reset', traits: Partial<RequestTraits> = {}, latencyMs = 5): ExchangeEvidence {
  return {
    request: { method: 'POST' },
    ...(typeof answer === 'number' ? { response: { status: answer } } : { error: { kind: answer } }),
    latencyMs: answer === 'timeout' ? 3000 : latencyMs,
    traits: { bytes: 500, signature: 'valid', compact: true, ...traits },
  };
}

/** A correctly signed, compact delivery of an event, answered `answer`. */
export function delivery(answer: number | 'timeout' | 'reset', event = 'meeting.started', traits: Partial<RequestTraits> = {}): ExchangeEvidence {
  return x(answer, { event, ...traits });
}

/** A forgery of the kind, answered `answer`. */
export function forgery(kind: string, answer: number): ExchangeEvidence {
  return x(answer, { signature: kind });
}

export function result(id: string, status: Status, exchanges: ExchangeEvidence[], more: Partial<ResultEvidence> = {}): ResultEvidence {
  const suite = id.split('.')[0] as ResultEvidence['suite'];
  return {
    id,
    suite,
    level: LEVEL_OF.get(id) ?? FUZZ_LEVELS[id] ?? 'SHOULD',
    title: id,
    event: 'meeting.started',
    status,
    reproduce: `npx conformance --checks ${id}`,
    exchanges,
    ...more,
  };
}

export function run(...results: ResultEvidence[]): RunEvidence {
  return { results, deadlineMs: 3000 };
}

/** What a compliant receiver leaves in a run besides the results under test: forgeries refused, deliveries acknowledged. */
export function background(): ResultEvidence[] {
  return [
    result('signature.wrong-secret', 'pass', [forgery('wrong-secret', 401)]),
    result('signature.tampered-body', 'pass', [forgery('tampered', 401)]),
    result('signature.missing-signature', 'pass', [forgery('missing-signature', 401)]),
    result('acknowledgement.valid-delivery', 'pass', [delivery(200), delivery(200, 'meeting.ended')]),
    result('robustness.edge-zoom', 'pass', [delivery(200, 'meeting.started', { edges: ['string.rtl', 'array.empty'] })]),
    result('robustness.edge-hostile', 'pass', [delivery(200, 'meeting.ended', { edges: ['number.negative', 'string.long'], bytes: 5_000 })]),
  ];
}
