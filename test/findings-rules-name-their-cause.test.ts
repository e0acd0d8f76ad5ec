/**
 * Each rule of the diagnosis (findings/rules/) on runs written by hand: it names its cause when its evidence pattern
 * holds, and stays silent (the failures stay unexplained) when the evidence is mixed. Then the diagnosis as a whole:
 * every failed result is explained by exactly one finding, what no rule explains is one `unexplained:<check id>` per
 * check, and the rules' order settles which finding explains a result. Adding a rule: a `describe` here.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../findings/diagnose.js';
import type { RunEvidence } from '../findings/finding.js';
import { RULES } from '../findings/rules/index.js';
import { background, delivery, forgery, result, run, x } from './support/findings-fixtures.js';

function findings(evidence: RunEvidence) {
  return diagnose(evidence).findings;
}

function ids(evidence: RunEvidence): string[] {
  return findings(evidence).map((finding) => finding.id);
}

/** The finding of each failed result, in order. */
function explained(evidence: RunEvidence): (string | undefined)[] {
  const { explainedBy } = diagnose(evidence);
  return evidence.results.flatMap((record, index) => (record.status === 'fail' ? [explainedBy[index]] : []));
}

describe('signature-not-verified', () => {
  const forgeries = (answer: number) => [
    result('signature.missing-signature', answer === 200 ? 'fail' : 'pass', [forgery('missing-signature', answer)]),
    result('signature.wrong-secret', 'fail', [forgery('wrong-secret', 200)]),
    result('signature.tampered-body', 'fail', [forgery('tampered', 200)]),
    result('url-validation.unsigned-challenge', 'fail', [x(200, { signature: 'unsigned' })], { event: null }),
  ];
  it('every kind of forgery accepted: one finding explains them all, the signing oracle included', () => {
    const evidence = run(...forgeries(200), result('acknowledgement.valid-delivery', 'pass', [delivery(200)]));
    expect(ids(evidence)).toEqual(['signature-not-verified']);
    expect(explained(evidence)).toEqual(Array(4).fill('signature-not-verified'));
  });
  it('a missing signature refused: it does verify (some); no such finding', () => {
    expect(ids(run(...forgeries(401)))).not.toContain('signature-not-verified');
  });
  // A fuzz run has no such checks: its forgeries of the same three kinds are the evidence (the failure and its follow-up).
  const fuzzed = (answer: number) => [
    result('signature.fuzz-forgery', 'fail', [forgery('missing-signature', 200)]),
    result('signature.fuzz-forgery', 'fail', [forgery('missing-signature', 200), forgery('tampered', 200), forgery('empty-digest', 200)]),
    result('signature.fuzz-forgery', answer === 200 ? 'fail' : 'pass', [forgery('wrong-secret', answer)]),
  ];
  it('a fuzz run whose forgeries of all three kinds were accepted: named, for every failed fuzz forgery', () => {
    const evidence = run(...fuzzed(200), result('acknowledgement.fuzz-valid', 'pass', [delivery(200)]));
    expect(ids(evidence)).toEqual(['signature-not-verified']);
    expect(explained(evidence)).toEqual(Array(3).fill('signature-not-verified'));
  });
  it('a fuzz run with one of them refused, or one kind never sent: no such finding', () => {
    expect(ids(run(...fuzzed(401)))).toEqual(['unexplained:signature.fuzz-forgery']);
    expect(ids(run(result('signature.fuzz-forgery', 'fail', [forgery('missing-signature', 200), forgery('tampered', 200)])))).toEqual(['unexplained:signature.fuzz-forgery']);
  });
});

describe('rejects-valid-signatures', () => {
  it('correctly signed deliveries refused with the status of a wrong signature: the wrong secret', () => {
    const evidence = run(
      result('signature.wrong-secret', 'pass', [forgery('wrong-secret', 401)]),
      result('acknowledgement.valid-delivery', 'fail', [delivery(401), delivery(401)]),
      result('idempotency.redelivery', 'fail', [delivery(401, 'meeting.started', { duplicate: true })]),
    );
    expect(ids(evidence)).toEqual(['rejects-valid-signatures']);
  });
  it('some correctly signed deliveries accepted: not the secret', () => {
    const evidence = run(
      result('signature.wrong-secret', 'pass', [forgery('wrong-secret', 401)]),
      result('acknowledgement.valid-delivery', 'fail', [delivery(401)]),
      result('acknowledgement.valid-delivery', 'pass', [delivery(200)], { event: 'meeting.ended' }),
    );
    expect(ids(evidence)).toEqual(['unexplained:acknowledgement.valid-delivery']);
  });
});

describe('signing-oracle', () => {
  it('a challenge answered 2xx without a valid signature, while deliveries are verified', () => {
    const evidence = run(...background(), result('url-validation.unsigned-challenge', 'fail', [x(200, { signature: 'unsigned' }), x(200, { signature: 'challenge-answer' })], { event: null }));
    const [finding] = findings(evidence);
    expect(finding!.id).toBe('signing-oracle');
    expect(finding!.evidence.summary).toMatch(/a forged delivery signed with it was accepted/);
  });
});

describe('wrong-challenge-answer', () => {
  it('the signed challenge answered 200 but wrongly; refused (401) it is not this cause', () => {
    expect(ids(run(...background(), result('url-validation.answers-challenge', 'fail', [x(200, { event: 'endpoint.url_validation' })], { event: null })))).toEqual(['wrong-challenge-answer']);
    expect(ids(run(...background(), result('url-validation.answers-challenge', 'fail', [x(404, { event: 'endpoint.url_validation' })], { event: null })))).toEqual([
      'unexplained:url-validation.answers-challenge',
    ]);
  });
});

describe('prefix-comparison', () => {
  const short = [result('signature.empty-hex', 'fail', [forgery('empty-digest', 200)]), result('signature.truncated', 'fail', [forgery('truncated', 200)])];
  it('short signatures accepted, full-length wrong ones refused', () => {
    const evidence = run(...background(), ...short);
    expect(ids(evidence)).toEqual(['prefix-comparison']);
    expect(findings(evidence)[0]!.checks).toEqual([
      { id: 'signature.empty-hex', results: 1 },
      { id: 'signature.truncated', results: 1 },
    ]);
  });
  it('no evidence that a full-length wrong signature is refused: no cause named', () => {
    expect(ids(run(...short))).toEqual(['unexplained:signature.empty-hex', 'unexplained:signature.truncated']);
  });
  it('a fuzz run: the accepted short forgery and the follow-up, where every wrong digest of full length was refused', () => {
    // The follow-up's accepted forgeries fail, the others pass: two results.
    const followUp = [
      result('signature.fuzz-forgery', 'fail', [forgery('empty-digest', 200), forgery('truncated', 200)]),
      result('signature.fuzz-forgery', 'pass', ['missing-signature', 'wrong-secret', 'flipped', 'other-body', 'tampered'].map((kind) => forgery(kind, 401))),
    ];
    const evidence = run(result('signature.fuzz-forgery', 'fail', [forgery('empty-digest', 200)]), ...followUp);
    expect(ids(evidence)).toEqual(['prefix-comparison']);
    expect(explained(evidence)).toEqual(['prefix-comparison', 'prefix-comparison']);
    // Without the follow-up's refusals there is no evidence that wrong digests of full length are refused.
    expect(ids(run(result('signature.fuzz-forgery', 'fail', [forgery('empty-digest', 200)]), followUp[0]!))).toEqual(['unexplained:signature.fuzz-forgery']);
  });
});

describe('version-prefix-ignored', () => {
  it('"v1=" with the right digest accepted while wrong digests are refused', () => {
    expect(ids(run(...background(), result('signature.version-prefix', 'fail', [forgery('version-prefix', 200)])))).toEqual(['version-prefix-ignored']);
  });
});

describe('freshness: no-freshness-window, stale-timestamps-accepted, future-timestamps-accepted', () => {
  const stale = (answer: number) => result('signature.stale-timestamp', answer === 200 ? 'fail' : 'pass', [delivery(answer, 'meeting.started', { timestampOffset: -600 })]);
  const future = (answer: number) => result('signature.future-timestamp', answer === 200 ? 'fail' : 'pass', [delivery(answer, 'meeting.started', { timestampOffset: 3600 })]);
  it('both accepted: no window, and the age it still accepts is bracketed', () => {
    const [finding] = findings(run(...background(), stale(200), future(200)));
    expect(finding!.id).toBe('no-freshness-window');
    expect(finding!.evidence.parameter).toMatchObject({ unit: 'seconds', atLeast: 600 });
    expect(finding!.evidence.parameter!.atMost).toBeUndefined();
  });
  it('one way only: named after that way', () => {
    expect(ids(run(...background(), stale(200), future(401)))).toEqual(['stale-timestamps-accepted']);
    const [finding] = findings(run(...background(), stale(401), future(200)));
    expect(finding!.id).toBe('future-timestamps-accepted');
  });
  it('the same offset both accepted and refused: mixed, unexplained', () => {
    const mixed = run(...background(), stale(200), result('signature.stale-timestamp', 'pass', [delivery(401, 'meeting.ended', { timestampOffset: -600 })], { event: 'meeting.ended' }));
    expect(ids(mixed)).toEqual(['unexplained:signature.stale-timestamp']);
  });
});

describe('slow-event', () => {
  const slow = (check: string, event = 'recording.completed') => result(check, 'fail', [delivery('timeout', event)], { event });
  it('one event times out in every check that sends it, the others are answered: its p99 is bracketed', () => {
    const evidence = run(...background(), slow('acknowledgement.valid-delivery'), slow('idempotency.redelivery'), slow('robustness.edge-zoom'));
    const [finding] = findings(evidence);
    expect(finding!.id).toBe('slow-event');
    expect(finding!.level).toBe('MUST');
    expect(finding!.results).toBe(3);
    expect(finding!.evidence.parameter).toMatchObject({ name: 'p99 latency of recording.completed', unit: 'ms', atLeast: 3000 });
  });
  it('timeouts of many events: the receiver is slow as a whole, no single event is named', () => {
    const events = ['meeting.started', 'meeting.ended', 'recording.completed', 'session.started'];
    const evidence = run(...events.flatMap((event) => [slow('acknowledgement.valid-delivery', event), slow('idempotency.redelivery', event)]));
    expect(ids(evidence)).not.toContain('slow-event');
  });
  it('a single timeout is a hiccup, not a slow event', () => {
    expect(ids(run(...background(), slow('acknowledgement.valid-delivery')))).toEqual(['unexplained:acknowledgement.valid-delivery']);
  });
});

describe('body-size-limit', () => {
  const sized = (bytes: number, answer: number) => delivery(answer, 'meeting.ended', { bytes, edges: ['array.large'] });
  it('bodies above a size refused with 413, smaller ones accepted: the limit is bracketed', () => {
    const evidence = run(...background(), result('robustness.edge-hostile', 'fail', [sized(150_000, 413)], { event: 'meeting.ended' }), result('robustness.edge-hostile', 'pass', [sized(90_000, 200)], { event: 'recording.completed' }));
    const [finding] = findings(evidence);
    expect(finding!.id).toBe('body-size-limit');
    expect(finding!.evidence.parameter).toMatchObject({ unit: 'bytes', atLeast: 90_000, atMost: 149_999 });
  });
  it('the largest bodies crash, but all carry an integer beyond 2^53: the integer, not the size', () => {
    const big = (bytes: number) => delivery(500, 'meeting.ended', { bytes, edges: ['int64.above-safe', 'string.long'] });
    const evidence = run(...background(), result('robustness.edge-hostile', 'fail', [big(150_000), big(300_000)], { event: 'meeting.ended' }));
    expect(ids(evidence)).toEqual(['crashes-on-int64.above-safe']);
  });
  it('big bodies refused in different ways: mixed, no limit named', () => {
    const evidence = run(...background(), result('robustness.edge-hostile', 'fail', [sized(150_000, 413), sized(300_000, 500)], { event: 'meeting.ended' }));
    expect(ids(evidence)).toEqual(['unexplained:robustness.edge-hostile']);
  });
});

describe('reserialized-body', () => {
  const reshaped = (answer: number, edges: string[] = ['encoding.whitespace']) => delivery(answer, 'meeting.started', { compact: false, edges });
  const rawBody = (answers: number[]) => result('signature.raw-body', answers.every((answer) => answer === 200) ? 'pass' : 'fail', answers.map((answer) => reshaped(answer, [])));
  it('every body that re-serializes differently refused like a forgery, every compact one accepted: one finding for raw-body and edge-hostile', () => {
    const evidence = run(...background(), rawBody([401, 401]), result('robustness.edge-hostile', 'fail', [reshaped(401, ['int64.above-safe'])], { event: 'meeting.ended' }));
    const [finding] = findings(evidence);
    expect(finding!.id).toBe('reserialized-body');
    expect(finding!.checks.map((check) => check.id)).toEqual(['signature.raw-body', 'robustness.edge-hostile']);
  });
  it('raw-body fails for another reason (500 to a line break, another encoding accepted): not re-serialization', () => {
    const evidence = run(
      ...background(),
      rawBody([500, 200]),
      result('robustness.edge-hostile', 'fail', [reshaped(500)], { event: 'meeting.ended' }),
      // Whitespace of another kind (spaces) is acknowledged.
      result('robustness.edge-hostile', 'pass', [delivery(200, 'session.started', { compact: false, edges: ['encoding.whitespace'] })], { event: 'session.started' }),
    );
    expect(ids(evidence).sort()).toEqual(['unexplained:robustness.edge-hostile', 'unexplained:signature.raw-body']);
  });
  it('compact bodies refused like forgeries too: not re-serialization', () => {
    const evidence = run(...background(), rawBody([401, 401]), result('acknowledgement.valid-delivery', 'fail', [delivery(401)], { event: 'meeting.ended' }));
    expect(ids(evidence)).not.toContain('reserialized-body');
  });
});

describe('rejects-with-<status>', () => {
  it('one finding per status rejections are answered with', () => {
    const evidence = run(
      ...background(),
      result('signature.rejected-with-401', 'fail', [forgery('wrong-secret', 400), forgery('missing-signature', 400)]),
      result('signature.rejected-with-401', 'fail', [forgery('missing-signature', 403)], { event: 'meeting.ended' }),
    );
    expect(ids(evidence).sort()).toEqual(['rejects-with-400', 'rejects-with-403']);
    expect(findings(evidence).find((finding) => finding.id === 'rejects-with-400')!.title).toBe('Rejections are answered 400 instead of 401');
  });
});

describe('duplicates-rejected', () => {
  const copy = (answer: number) => delivery(answer, 'meeting.started', { duplicate: true });
  it('copies of a delivery refused, first deliveries acknowledged', () => {
    const evidence = run(...background(), result('idempotency.redelivery', 'fail', [copy(409)]), result('idempotency.concurrent-duplicates', 'fail', [copy(409), copy(409)]));
    expect(ids(evidence)).toEqual(['duplicates-rejected']);
  });
  it('first deliveries refused with the same status: not about duplicates', () => {
    const evidence = run(...background(), result('idempotency.redelivery', 'fail', [copy(409)]), result('acknowledgement.valid-delivery', 'fail', [delivery(409)], { event: 'meeting.ended' }));
    expect(ids(evidence)).not.toContain('duplicates-rejected');
  });
  it('a fuzz lifecycle whose only refusal is a copy: the whole sequence is explained', () => {
    const evidence = run(...background(), result('idempotency.fuzz-lifecycle', 'fail', [delivery(200), copy(409)], { event: 'lifecycle:meeting' }));
    expect(ids(evidence)).toEqual(['duplicates-rejected']);
  });
});

describe('out-of-order-rejected', () => {
  const late = (answer: number, duplicate = false) => delivery(answer, 'meeting.started', { outOfOrder: true, ...(duplicate ? { duplicate } : {}) });
  it('steps sent after a later one refused, none sent in order', () => {
    expect(ids(run(...background(), result('robustness.lifecycle', 'fail', [late(409), late(409, true)], { event: 'lifecycle:meeting' })))).toEqual(['out-of-order-rejected']);
  });
  it('a step sent in order refused too: the event, not the order', () => {
    const evidence = run(...background(), result('robustness.lifecycle', 'fail', [late(409), delivery(409, 'meeting.ended')], { event: 'lifecycle:meeting' }));
    expect(ids(evidence)).toEqual(['unexplained:robustness.lifecycle']);
  });
});

describe('applied-twice and applies-before-verifying (the observer)', () => {
  it('a delivery sent four times applied more than once', () => {
    const evidence = run(...background(), result('idempotency.applied-once', 'fail', [delivery(200)], { observed: { applied: 3 } }));
    const [finding] = findings(evidence);
    expect(finding!.id).toBe('applied-twice');
    expect(finding!.evidence.parameter).toMatchObject({ atLeast: 3 });
  });
  it('never applied though acknowledged is another matter', () => {
    expect(ids(run(...background(), result('idempotency.applied-once', 'fail', [delivery(200)], { observed: { applied: 0 } })))).toEqual(['unexplained:idempotency.applied-once']);
  });
  it('a refused forgery applied', () => {
    expect(ids(run(...background(), result('idempotency.rejected-never-applied', 'fail', [forgery('wrong-secret', 401)], { observed: { applied: 1 } })))).toEqual(['applies-before-verifying']);
  });
});

describe('idempotency in depth: racy-deduplication, deduplicates-by-event-ts, applied-after-hang-up, short-deduplication-memory', () => {
  const applied = (applied: number, expected = 1) => ({ observed: { applied, expected } });
  /** The main run's redeliveries (original, retry, two copies), applied once: plain retries are deduplicated. */
  const retriesDeduplicated = (event = 'meeting.ended') =>
    result('idempotency.applied-once', 'pass', [delivery(200, event), delivery(200, event, { duplicate: true, retryAgeMs: 3 })], { event, ...applied(1) });
  const simultaneous = (answer = 200) => delivery(answer, 'meeting.started', { duplicate: true, simultaneous: true });

  it('copies released together applied twice while retries are applied once: racy deduplication', () => {
    const evidence = run(...background(), retriesDeduplicated(), result('idempotency.first-arrival-applied-once', 'fail', [simultaneous(), simultaneous()], applied(2)));
    expect(ids(evidence)).toEqual(['racy-deduplication']);
    expect(findings(evidence)[0]!.evidence.parameter).toMatchObject({ atLeast: 2 });
  });
  it('retries applied again too: no deduplication at all, one applied-twice finding for every re-application', () => {
    const evidence = run(
      ...background(),
      result('idempotency.applied-once', 'fail', [delivery(200), delivery(200, 'meeting.started', { duplicate: true, retryAgeMs: 3 })], applied(4)),
      result('idempotency.first-arrival-applied-once', 'fail', [simultaneous(), simultaneous()], { event: 'meeting.ended', ...applied(2) }),
      result('idempotency.late-retry', 'fail', [delivery(200), delivery(200, 'meeting.started', { duplicate: true, retryAgeMs: 2500 })], { event: 'recording.completed', ...applied(2) }),
    );
    expect(ids(evidence)).toEqual(['applied-twice']);
    expect(explained(evidence)).toEqual(['applied-twice', 'applied-twice', 'applied-twice']);
  });
  it('no evidence that retries are deduplicated (no redeliveries ran): the simultaneous copies stay unexplained', () => {
    expect(ids(run(...background(), result('idempotency.first-arrival-applied-once', 'fail', [simultaneous(), simultaneous()], applied(2))))).toEqual([
      'unexplained:idempotency.first-arrival-applied-once',
    ]);
  });
  it('a fuzz lifecycle whose only copies were released together, after lifecycles with retries passed: racy', () => {
    const passed = result('idempotency.fuzz-lifecycle', 'pass', [delivery(200), delivery(200, 'meeting.started', { duplicate: true })], { event: null });
    const failed = result('idempotency.fuzz-lifecycle', 'fail', [simultaneous(), simultaneous()], { event: 'lifecycle:meeting', ...applied(2) });
    expect(ids(run(...background(), passed, failed))).toEqual(['racy-deduplication']);
    // Without a passing lifecycle that retried something, the same failure proves nothing about the cause.
    expect(ids(run(...background(), failed))).toEqual(['unexplained:idempotency.fuzz-lifecycle']);
  });

  it('two different deliveries sharing event and event_ts, both acknowledged, one applied: deduplicated by event_ts', () => {
    const pair = [delivery(200), delivery(200)];
    const evidence = run(...background(), retriesDeduplicated(), result('idempotency.shared-timestamp-applied', 'fail', pair, applied(1, 2)));
    expect(ids(evidence)).toEqual(['deduplicates-by-event-ts']);
    // The second one refused: not applying it is no loss of this kind (the acknowledgement checks say what happened).
    expect(ids(run(...background(), result('idempotency.shared-timestamp-applied', 'fail', [delivery(200), delivery(500)], applied(1, 2))))).toEqual([
      'unexplained:idempotency.shared-timestamp-applied',
    ]);
    // Neither applied: something else.
    expect(ids(run(...background(), result('idempotency.shared-timestamp-applied', 'fail', pair, applied(0, 2))))).toEqual(['unexplained:idempotency.shared-timestamp-applied']);
  });

  const abandonedThenRetried = (retryAgeMs: number, event = 'meeting.started') =>
    result(
      'idempotency.abandoned-applied-once',
      'fail',
      [
        { ...delivery(200, event), response: undefined, error: { kind: 'abandoned' } },
        delivery(200, event, { duplicate: true, retryAgeMs }),
      ],
      { event, ...applied(2) },
    );
  const lateRetry = (status: 'pass' | 'fail', retryAgeMs: number, event = 'session.started') =>
    result('idempotency.late-retry', status, [delivery(200, event), delivery(200, event, { duplicate: true, retryAgeMs })], { event, ...applied(status === 'pass' ? 1 : 2) });

  it('an abandoned attempt applied and its retry applied again, within what the receiver remembers: applied after hang-up', () => {
    const evidence = run(...background(), retriesDeduplicated(), lateRetry('pass', 2100), abandonedThenRetried(230));
    expect(ids(evidence)).toEqual(['applied-after-hang-up']);
  });
  it('retries forgotten after a while: a short memory, bracketed between the retries remembered and forgotten', () => {
    const evidence = run(...background(), retriesDeduplicated(), lateRetry('fail', 2100), lateRetry('fail', 2400, 'session.ended'));
    const [finding] = findings(evidence);
    expect(finding!.id).toBe('short-deduplication-memory');
    expect(finding!.results).toBe(2);
    expect(finding!.evidence.parameter).toMatchObject({ atLeast: 3, atMost: 2100, value: 'between 0.0 s and 2.1 s' });
  });
  it('an abandoned retry as late as a forgotten one is the short memory too, not the hang-up', () => {
    const evidence = run(...background(), retriesDeduplicated(), lateRetry('fail', 2100), abandonedThenRetried(2300));
    expect(ids(evidence)).toEqual(['short-deduplication-memory']);
    expect(explained(evidence)).toEqual(['short-deduplication-memory', 'short-deduplication-memory']);
  });
  it('an abandoned retry later than anything remembered, with no late retry forgotten: mixed, unexplained', () => {
    expect(ids(run(...background(), retriesDeduplicated(), abandonedThenRetried(230)))).toEqual(['unexplained:idempotency.abandoned-applied-once']);
  });
});

describe('unknown-events-rejected', () => {
  it('event types not in the spec refused, known ones acknowledged', () => {
    expect(ids(run(...background(), result('acknowledgement.unknown-event', 'fail', [delivery(400, 'meeting.conformance_new_event_x')])))).toEqual(['unknown-events-rejected']);
  });
});

describe('crashes-on-<edge kind>', () => {
  const edge = (answer: number, edges: string[], event = 'meeting.started') => delivery(answer, event, { edges });
  it('every delivery carrying one kind crashes, the others are acknowledged: named after the kind', () => {
    const evidence = run(
      ...background(),
      result('robustness.edge-zoom', 'fail', [edge(500, ['string.astral-emoji', 'array.empty'])], { event: 'meeting.ended' }),
      result('robustness.edge-hostile', 'fail', [edge(500, ['string.astral-emoji', 'number.negative'])], { event: 'recording.completed' }),
      result('robustness.edge-hostile', 'pass', [edge(200, ['array.empty', 'string.long'])], { event: 'session.started' }),
    );
    const [finding] = findings(evidence);
    expect(finding!.id).toBe('crashes-on-string.astral-emoji');
    expect(finding!.level).toBe('MUST');
  });
  it('a target that went away (connections refused) crashed on nothing', () => {
    const evidence = run(...background(), result('robustness.edge-hostile', 'fail', [{ ...edge(200, ['string.control-escaped']), response: undefined, error: { kind: 'refused' } }], { event: 'meeting.ended' }));
    expect(ids(evidence)).toEqual(['unexplained:robustness.edge-hostile']);
  });
  it('integers beyond 2^53 (2^53+1 and int64 max) are one cause', () => {
    const evidence = run(
      ...background(),
      result('robustness.edge-hostile', 'fail', [edge(500, ['int64.above-safe']), edge(500, ['int64.max', 'string.long'])], { event: 'meeting.ended' }),
    );
    expect(ids(evidence)).toEqual(['crashes-on-int64.above-safe']);
  });
  it('crashes that all carry another kind crashing without it: that kind proves nothing', () => {
    const evidence = run(
      ...background(),
      // Both max-safe deliveries crashed, but so did whitespace without max-safe, and whitespace also passed once.
      result('robustness.edge-hostile', 'fail', [edge(500, ['number.max-safe', 'encoding.whitespace']), edge(500, ['number.max-safe', 'encoding.whitespace'])], { event: 'meeting.ended' }),
      result('robustness.edge-hostile', 'fail', [edge(500, ['encoding.whitespace', 'string.long'])], { event: 'recording.completed' }),
      result('robustness.edge-hostile', 'pass', [edge(200, ['encoding.whitespace'])], { event: 'session.started' }),
    );
    expect(ids(evidence)).toEqual(['unexplained:robustness.edge-hostile']);
  });
});

describe('crashes-on-schema-violation, crashes-on-not-json, accepts-not-json', () => {
  it('a 5xx to a body breaking its schema, to one that is not JSON; a 2xx to one that is not JSON', () => {
    expect(ids(run(...background(), result('robustness.schema-invalid', 'fail', [delivery(500, 'meeting.started', { edges: ['schema.wrong-type'] })])))).toEqual(['crashes-on-schema-violation']);
    expect(ids(run(...background(), result('robustness.not-json', 'fail', [x(500, { compact: undefined })], { event: null })))).toEqual(['crashes-on-not-json']);
    expect(ids(run(...background(), result('robustness.not-json', 'fail', [x(200, { compact: undefined })], { event: null })))).toEqual(['accepts-not-json']);
  });
});

describe('other-methods-accepted and sheds-load', () => {
  it('GET accepted on the webhook URL; the methods are the parameter', () => {
    const evidence = run(...background(), result('robustness.wrong-method', 'fail', [{ ...x(200), request: { method: 'GET' } }], { event: null }));
    const [finding] = findings(evidence);
    expect(finding!.id).toBe('other-methods-accepted');
    expect(finding!.evidence.parameter!.value).toBe('GET');
  });
  it('503 to a burst only', () => {
    expect(ids(run(...background(), result('robustness.burst', 'fail', [delivery(503), delivery(503, 'meeting.ended')], { event: null })))).toEqual(['sheds-load']);
    // 503 outside the burst too: not about the burst.
    expect(ids(run(...background(), result('robustness.burst', 'fail', [delivery(503)], { event: null }), result('acknowledgement.valid-delivery', 'fail', [delivery(503, 'session.started')], { event: 'session.started' })))).not.toContain(
      'sheds-load',
    );
  });
});

describe('the diagnosis as a whole', () => {
  it('explains every failed result by exactly one finding, and nothing that did not fail', () => {
    const evidence = run(
      ...background(),
      result('signature.empty-hex', 'fail', [forgery('empty-digest', 200)]),
      result('signature.stale-timestamp', 'fail', [delivery(200, 'meeting.started', { timestampOffset: -600 })]),
      result('robustness.not-json', 'fail', [x(302, { compact: undefined })], { event: null }),
    );
    const { findings: found, explainedBy } = diagnose(evidence);
    evidence.results.forEach((record, index) => expect(explainedBy[index] === undefined, record.id).toBe(record.status !== 'fail'));
    expect(found.map((finding) => finding.id)).toEqual(['prefix-comparison', 'stale-timestamps-accepted', 'unexplained:robustness.not-json']);
    expect(found.reduce((sum, finding) => sum + finding.results, 0)).toBe(3);
    for (const finding of found) expect(explainedBy.filter((id) => id === finding.id)).toHaveLength(finding.results);
  });

  it('a result whose failing deliveries have two causes goes to the cause of its first one; the other keeps its own results', () => {
    const big = (answer: number) => delivery(answer, 'meeting.ended', { bytes: 200_000, edges: ['array.large'] });
    const reshaped = delivery(401, 'meeting.ended', { compact: false, edges: ['encoding.whitespace'] });
    const evidence = run(
      ...background(),
      result('signature.raw-body', 'fail', [delivery(401, 'meeting.started', { compact: false })]),
      result('robustness.edge-hostile', 'fail', [reshaped, big(413)], { event: 'meeting.ended' }),
      result('robustness.edge-hostile', 'fail', [big(413)], { event: 'recording.completed' }),
    );
    expect(explained(evidence)).toEqual(['reserialized-body', 'reserialized-body', 'body-size-limit']);
  });

  it('orders MUST before SHOULD and named causes before unexplained failures; the example is a claimed exchange', () => {
    const evidence = run(
      ...background(),
      result('signature.version-prefix', 'fail', [forgery('version-prefix', 200)]),
      result('robustness.not-json', 'fail', [x(302, { compact: undefined })], { event: null }),
      result('robustness.not-json', 'fail', [x(302, { compact: undefined })], { event: 'x' }),
      result('signature.truncated', 'fail', [forgery('truncated', 200)]),
    );
    const found = findings(evidence);
    expect(found.map((finding) => [finding.level, finding.id])).toEqual([
      ['MUST', 'prefix-comparison'],
      ['SHOULD', 'version-prefix-ignored'],
      ['SHOULD', 'unexplained:robustness.not-json'],
    ]);
    expect(found[0]!.evidence.example).toEqual({ check: 'signature.truncated', event: 'meeting.started', exchange: 0, description: 'POST request: status 200 after 5 ms', reproduce: 'npx conformance --checks signature.truncated' });
  });

  it('a compliant run has no finding', () => {
    expect(findings(run(...background()))).toEqual([]);
  });

  it('every rule has its id, title, cause and fix, and the ids are unique', () => {
    for (const rule of RULES) for (const field of [rule.id, rule.title, rule.cause, rule.fix]) expect(field.length).toBeGreaterThan(3);
    expect(new Set(RULES.map((rule) => rule.id)).size).toBe(RULES.length);
  });

  it('is pure: the same run gives the same findings, and the run is not changed', () => {
    const evidence: RunEvidence = run(...background(), result('signature.truncated', 'fail', [forgery('truncated', 200)]));
    const before = JSON.stringify(evidence);
    expect(diagnose(evidence)).toEqual(diagnose(evidence));
    expect(JSON.stringify(evidence)).toBe(before);
  });
});

