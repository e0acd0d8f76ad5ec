/**
 * Idempotency: Zoom retries a delivery that was not acknowledged (same body, same event_ts, fresh timestamp and
 * signature), and one event can arrive twice when an app holds several subscriptions for it. A receiver must
 * acknowledge every copy and apply the delivery once; what it rejected it must never apply.
 *
 * "Applied" is only visible through the observer (`--observe`); without one those checks are skipped, never passed.
 */
import type { Exchange } from '../engine/http.js';
import { retimed, type Delivery } from '../generators/deliveries.js';
import { isAcknowledged } from '../profiles/zoom.js';
import { defineCheck, type Check, type Observation, type Probe, type ProbeContext, type Suite } from './check.js';
import { ObserverError } from './observer.js';
import { acknowledgedInTime, describeDuration, is2xx, outcome } from './outcome.js';

const redelivery = defineCheck({
  id: 'idempotency.redelivery',
  suite: 'idempotency',
  level: 'MUST',
  title: 'A redelivery (same body, fresh timestamp and signature) is acknowledged again',
  rationale: 'Zoom retries until it is acknowledged; a receiver that refuses a copy it has seen turns one lost answer into a failed delivery.',
  judge: acknowledgedInTime,
  evidence: 'idempotency',
});

const concurrentDuplicates = defineCheck({
  id: 'idempotency.concurrent-duplicates',
  suite: 'idempotency',
  level: 'MUST',
  title: 'Two copies of a delivery arriving at the same moment are both acknowledged',
  rationale: 'Several subscriptions to one event deliver it twice at once; both copies must be acknowledged.',
  judge: acknowledgedInTime,
  evidence: 'idempotency',
});

const appliedOnce = defineCheck({
  id: 'idempotency.applied-once',
  suite: 'idempotency',
  level: 'MUST',
  title: 'A delivery received four times (original, retry, two concurrent copies) is applied exactly once',
  rationale: 'Applying a retry or a duplicate again double-charges, double-notifies or double-counts.',
  needsObserver: true,
  evidence: 'idempotency',
});

const rejectedNeverApplied = defineCheck({
  id: 'idempotency.rejected-never-applied',
  suite: 'idempotency',
  level: 'MUST',
  title: 'A delivery rejected for its signature is never applied',
  rationale: 'Applying before verifying lets anyone trigger the receiver\'s effects, whatever status it answers.',
  needsObserver: true,
  evidence: 'rejection',
});

const firstArrivalCopies = defineCheck({
  id: 'idempotency.first-arrival-copies',
  suite: 'idempotency',
  level: 'MUST',
  title: 'Copies of a delivery never sent before, arriving at the same instant, are all acknowledged',
  rationale: 'An app with two subscriptions to one event receives both copies of a fresh delivery at once; each must be acknowledged.',
  judge: acknowledgedInTime,
  evidence: 'idempotency',
});

const firstArrivalAppliedOnce = defineCheck({
  id: 'idempotency.first-arrival-applied-once',
  suite: 'idempotency',
  level: 'MUST',
  title: 'Copies of a delivery never sent before, arriving at the same instant, are applied exactly once',
  rationale:
    'Deduplication that looks a delivery up and marks it seen with an await in between lets simultaneous first copies both through, and the event is applied twice.',
  needsObserver: true,
  evidence: 'idempotency',
});

const sharedTimestamp = defineCheck({
  id: 'idempotency.shared-timestamp',
  suite: 'idempotency',
  level: 'MUST',
  title: 'Distinct deliveries of one event that share their event_ts are each acknowledged',
  rationale: 'event_ts counts milliseconds: two participants joining a large meeting in the same millisecond are two different deliveries with one event_ts.',
  judge: acknowledgedInTime,
  evidence: 'idempotency',
});

const sharedTimestampApplied = defineCheck({
  id: 'idempotency.shared-timestamp-applied',
  suite: 'idempotency',
  level: 'MUST',
  title: 'Distinct deliveries of one event that share their event_ts are each applied, neither lost as a duplicate',
  rationale:
    'Zoom sends different deliveries with the same event and event_ts (two participants joining in one millisecond); only a retry repeats the body byte for byte, so deduplicating by event and event_ts loses real events.',
  needsObserver: true,
  evidence: 'idempotency',
});

const abandonedRetry = defineCheck({
  id: 'idempotency.abandoned-retry',
  suite: 'idempotency',
  level: 'MUST',
  title: 'The retry of a delivery whose sender hung up before the answer is acknowledged',
  rationale: 'Zoom stops waiting after 3 seconds and retries later with a fresh timestamp and signature; the retry must be acknowledged whatever became of the first attempt.',
  judge: acknowledgedInTime,
  evidence: 'idempotency',
});

const abandonedAppliedOnce = defineCheck({
  id: 'idempotency.abandoned-applied-once',
  suite: 'idempotency',
  level: 'MUST',
  title: 'A delivery whose sender hung up before the answer, then retried, is applied exactly once',
  rationale: 'A receiver that finishes the first attempt after Zoom hung up but records it as done only when its answer was read applies the retry again.',
  needsObserver: true,
  evidence: 'idempotency',
});

const lateRetry = defineCheck({
  id: 'idempotency.late-retry',
  suite: 'idempotency',
  level: 'MUST',
  title: 'A retry that comes long after the first delivery is not applied again',
  rationale:
    'Zoom retries 5, 20 and 60 minutes after the first attempt; a deduplication memory that forgets sooner applies the retry again (the run waits --retry-after; fuzz --retry-after tests longer memories).',
  needsObserver: true,
  evidence: 'idempotency',
});

/**
 * How long after an abandoned attempt its retry follows. Zoom's comes 5 minutes later; this covers receivers that
 * finish their work within it (a retry while the first attempt is still in flight tests something else).
 */
const ABANDONED_RETRY_DELAY_MS = 200;

/** Rounds of fresh simultaneous copies in a whole run, at least: several rounds per event when few events are selected. */
const MIN_FIRST_ARRIVAL_ROUNDS = 8;

const NO_OBSERVER = 'needs --observe URL: whether a delivery was applied is visible only through the observer contract';

const redeliveries: Probe = {
  id: 'idempotency.redeliveries',
  checks: [redelivery, concurrentDuplicates, appliedOnce],
  scope: 'event',
  async run(context, event) {
    const [delivery] = context.sample(event!, 'valid', 1);
    const body = delivery!.body;
    const original = await context.send(context.signed(body, { label: 'original delivery', delivery: delivery! }));
    const age = () => Date.now() - original.startedAt;
    const retry = await context.send(context.signed(body, { label: 'retry: same body, fresh timestamp and signature', delivery: delivery!, duplicate: true, retryAgeMs: age() }));
    const copies = await context.together([
      context.signed(body, { label: 'copy 1 of 2 sent at the same moment', delivery: delivery!, duplicate: true, retryAgeMs: age() }),
      context.signed(body, { label: 'copy 2 of 2 sent at the same moment', delivery: delivery!, duplicate: true, retryAgeMs: age() }),
    ]);
    context.judge(redelivery, event!.name, [retry]);
    context.judge(concurrentDuplicates, event!.name, copies);
    const all = [original, retry, ...copies];
    if (!context.wants(appliedOnce)) return;
    const skip = observerSkip(context, delivery, all.some((exchange) => isAcknowledged(exchange.response?.status)), 'no copy was acknowledged (see the failed checks)');
    if (skip) return context.record(appliedOnce, event!.name, { ...skip, exchanges: skip.exchanges ?? all });
    const eventTs = delivery!.eventTs!;
    context.later(() =>
      observe(context, appliedOnce, event!.name, all, async (observer) => {
        const { count } = await observer.settledCount(event!.name, eventTs, 1);
        const observed = { applied: count, expected: 1 };
        return count === 1
          ? { status: 'pass', reason: 'applied once', observed }
          : { status: 'fail', reason: count === 0 ? 'never applied, though acknowledged' : `applied ${count} times (sent: original, retry, two concurrent copies)`, observed };
      }),
    );
  },
};

const rejections: Probe = {
  id: 'idempotency.rejections',
  checks: [rejectedNeverApplied],
  scope: 'event',
  async run(context, event) {
    if (!context.observer) return context.record(rejectedNeverApplied, event!.name, { status: 'skip', reason: NO_OBSERVER, exchanges: [] });
    const deliveries = context.sample(event!, 'valid', 2);
    const wrong = context.signed(deliveries[0]!.body, { as: { kind: 'wrong-secret' }, label: 'signed with another secret', delivery: deliveries[0]! });
    const unsigned = context.signed(deliveries[1]!.body, { as: { kind: 'missing-signature' }, label: 'no x-zm-signature', delivery: deliveries[1]! });
    const exchanges = await Promise.all([context.send(wrong), context.send(unsigned)]);
    const rejected = deliveries.map((delivery, index) => ({ delivery, exchange: exchanges[index]! })).filter(({ exchange }) => !is2xx(exchange));
    if (rejected.length === 0) {
      return context.record(rejectedNeverApplied, event!.name, { status: 'skip', reason: 'both forged deliveries were accepted (see the signature checks)', exchanges });
    }
    context.later(() =>
      observe(context, rejectedNeverApplied, event!.name, rejected.map(({ exchange }) => exchange), async (observer) => {
        for (const { delivery, exchange } of rejected) {
          const count = await observer.count(event!.name, delivery.eventTs!);
          if (count > 0) {
            return {
              status: 'fail',
              reason: `applied ${count} time${count === 1 ? '' : 's'} though rejected (${outcome(exchange)}; ${exchange.request.label})`,
              exchanges: [exchange],
              observed: { applied: count, expected: 0 },
            };
          }
        }
        return { status: 'pass', reason: `${rejected.length} rejected deliveries, none applied`, observed: { applied: 0 } };
      }),
    );
  },
};

/** Every copy of every round of fresh deliveries released at the same instant; with the observer, each applied once. */
const firstArrivals: Probe = {
  id: 'idempotency.first-arrivals',
  checks: [firstArrivalCopies, firstArrivalAppliedOnce],
  scope: 'event',
  async run(context, event) {
    const rounds = Math.max(1, Math.ceil(MIN_FIRST_ARRIVAL_ROUNDS / context.events.length));
    const deliveries = context.sample(event!, 'valid', rounds);
    const copies = context.copies;
    const sent: { delivery: Delivery; exchanges: Exchange[] }[] = [];
    for (const [round, delivery] of deliveries.entries()) {
      const label = (copy: number) => `fresh delivery${rounds > 1 ? ` (round ${round + 1} of ${rounds})` : ''}: copy ${copy + 1} of ${copies}, all released at the same instant`;
      // Each copy is a copy of the others: none is the first.
      const requests = Array.from({ length: copies }, (_, copy) => context.signed(delivery.body, { label: label(copy), delivery, duplicate: true, simultaneous: true }));
      const exchanges = await context.releasedTogether(requests);
      sent.push({ delivery, exchanges });
    }
    const all = sent.flatMap(({ exchanges }) => exchanges);
    context.judge(firstArrivalCopies, event!.name, all);
    if (!context.wants(firstArrivalAppliedOnce)) return;
    const acknowledged = sent.filter(({ exchanges }) => exchanges.some((exchange) => isAcknowledged(exchange.response?.status)));
    const skip = observerSkip(context, deliveries[0], acknowledged.length > 0, 'no copy was acknowledged (see idempotency.first-arrival-copies)');
    if (skip) return context.record(firstArrivalAppliedOnce, event!.name, { ...skip, exchanges: skip.exchanges ?? all });
    context.later(() =>
      observe(context, firstArrivalAppliedOnce, event!.name, all, async (observer) => {
        for (const { delivery, exchanges } of acknowledged) {
          const { count } = await observer.settledCount(event!.name, delivery.eventTs!, 1);
          if (count !== 1) {
            return {
              status: 'fail',
              reason: `${count === 0 ? 'never applied, though acknowledged' : `applied ${count} times`}: ${copies} copies of a delivery never sent before arrived at the same instant (event_ts ${delivery.eventTs})`,
              exchanges,
              observed: { applied: count, expected: 1 },
            };
          }
        }
        return { status: 'pass', reason: `${acknowledged.length} fresh deliveries, ${copies} simultaneous copies each, each applied once`, observed: { applied: 1, expected: 1 } };
      }),
    );
  },
};

/** Other drafts looked at for a body that differs from the first. */
const TWIN_CANDIDATES = 7;

/** Two different valid deliveries of the event with one event_ts: both acknowledged and, with the observer, both applied. */
const sharedTimestamps: Probe = {
  id: 'idempotency.shared-timestamps',
  checks: [sharedTimestamp, sharedTimestampApplied],
  scope: 'event',
  async run(context, event) {
    // The first of a few other drafts that differs from the first once it has the same event_ts (small events can repeat).
    const [first, ...others] = context.sample(event!, 'valid', TWIN_CANDIDATES + 1);
    const eventTs = first!.eventTs;
    const twin = eventTs === undefined ? undefined : others.map((other) => retimed(other, eventTs)).find((candidate) => !candidate.body.equals(first!.body));
    if (eventTs === undefined || twin === undefined) {
      const reason = eventTs === undefined ? 'the event has no event_ts' : 'no second, different body of the event was drawn';
      for (const check of [sharedTimestamp, sharedTimestampApplied]) context.record(check, event!.name, { status: 'skip', reason, exchanges: [] });
      return;
    }
    const exchanges = [
      await context.send(context.signed(first!.body, { label: `delivery A of ${event!.name} (event_ts ${eventTs})`, delivery: first! })),
      await context.send(context.signed(twin.body, { label: `delivery B: another body of ${event!.name} with the same event_ts ${eventTs}`, delivery: twin })),
    ];
    context.judge(sharedTimestamp, event!.name, exchanges);
    if (!context.wants(sharedTimestampApplied)) return;
    const skip = observerSkip(context, first, exchanges.every((exchange) => isAcknowledged(exchange.response?.status)), 'not both were acknowledged (see idempotency.shared-timestamp)');
    if (skip) return context.record(sharedTimestampApplied, event!.name, { ...skip, exchanges: skip.exchanges ?? exchanges });
    context.later(() =>
      observe(context, sharedTimestampApplied, event!.name, exchanges, async (observer) => {
        const { count } = await observer.settledCount(event!.name, eventTs, 2);
        const observed = { applied: count, expected: 2 };
        if (count === 2) return { status: 'pass', reason: 'both distinct deliveries applied once', observed };
        return {
          status: 'fail',
          observed,
          reason:
            count === 1
              ? `two different deliveries with event_ts ${eventTs} were acknowledged but only one was applied: the other was taken for a duplicate`
              : count === 0
                ? 'neither of two acknowledged deliveries was applied'
                : `two different deliveries with event_ts ${eventTs} were applied ${count} times in all (expected once each)`,
        };
      }),
    );
  },
};

/** A first attempt abandoned once written, its retry sent after everything else; with the observer, applied once. */
const abandonments: Probe = {
  id: 'idempotency.abandoned',
  checks: [abandonedRetry, abandonedAppliedOnce],
  scope: 'event',
  async run(context, event) {
    const [delivery] = context.sample(event!, 'valid', 1);
    const body = delivery!.body;
    const first = await context.abandon(context.signed(body, { label: 'first attempt: the sender hung up once the request was written, before any answer', delivery: delivery! }));
    // Zoom retries minutes later; the retry follows once the receiver has had time to finish the first attempt.
    context.after(ABANDONED_RETRY_DELAY_MS, async () => {
      const retry = await context.send(
        context.signed(body, {
          label: 'retry after the abandoned attempt: same body, fresh timestamp and signature',
          delivery: delivery!,
          duplicate: true,
          retryAgeMs: Date.now() - first.startedAt,
        }),
      );
      context.judge(abandonedRetry, event!.name, [retry]);
      if (!context.wants(abandonedAppliedOnce)) return;
      const exchanges = [first, retry];
      const skip = observerSkip(context, delivery, isAcknowledged(retry.response?.status), 'the retry was not acknowledged (see idempotency.abandoned-retry)');
      if (skip) return context.record(abandonedAppliedOnce, event!.name, { ...skip, exchanges: skip.exchanges ?? exchanges });
      context.later(() =>
        observe(context, abandonedAppliedOnce, event!.name, exchanges, async (observer) => {
          const { count } = await observer.settledCount(event!.name, delivery!.eventTs!, 1);
          const observed = { applied: count, expected: 1 };
          if (count === 1) return { status: 'pass', reason: 'applied once (the abandoned attempt and its retry)', observed };
          return {
            status: 'fail',
            observed,
            reason:
              count === 0
                ? 'never applied, though the retry was acknowledged'
                : `applied ${count} times: the first attempt was processed after the sender hung up, and the retry was applied again`,
          };
        }),
      );
    });
  },
};

/** A delivery sent first thing in the run and retried at its end (at least --retry-after later): not applied again. */
const lateRetries: Probe = {
  id: 'idempotency.late-retries',
  checks: [lateRetry],
  scope: 'event',
  early: true,
  async run(context, event) {
    if (!context.observer) return context.record(lateRetry, event!.name, { status: 'skip', reason: NO_OBSERVER, exchanges: [] });
    const [delivery] = context.sample(event!, 'valid', 1);
    if (delivery!.eventTs === undefined) {
      return context.record(lateRetry, event!.name, { status: 'skip', reason: 'the event has no event_ts to ask the observer about', exchanges: [] });
    }
    const body = delivery!.body;
    const original = await context.send(context.signed(body, { label: 'original delivery (retried at the end of the run)', delivery: delivery! }));
    if (!isAcknowledged(original.response?.status)) {
      return context.record(lateRetry, event!.name, { status: 'skip', reason: `the original delivery was not acknowledged (${outcome(original)})`, exchanges: [original] });
    }
    const eventTs = delivery!.eventTs;
    context.later(async () => {
      const wait = original.startedAt + context.retryAfterMs - Date.now();
      if (wait > 0) await context.wait(wait);
      const age = Date.now() - original.startedAt;
      const retry = await context.send(
        context.signed(body, { label: `late retry, ${describeDuration(age)} after the original: same body, fresh timestamp and signature`, delivery: delivery!, duplicate: true, retryAgeMs: age }),
      );
      await observe(context, lateRetry, event!.name, [original, retry], async (observer) => {
        const { count } = await observer.settledCount(event!.name, eventTs, 1);
        const observed = { applied: count, expected: 1 };
        if (count === 1) return { status: 'pass', reason: `a retry at least ${describeDuration(context.retryAfterMs)} after the original was not applied again`, observed };
        return {
          status: 'fail',
          observed,
          reason:
            count === 0
              ? 'never applied, though the original was acknowledged'
              : `applied ${count} times: a retry ${describeDuration(age)} after the original was applied again (the receiver forgot the delivery; Zoom's last retry comes about 85 minutes after the first attempt)`,
        };
      });
    });
  },
};

/** Why an observer check cannot conclude (no observer, no event_ts, nothing acknowledged), or undefined when it can. */
function observerSkip(context: ProbeContext, delivery: Delivery | undefined, acknowledged: boolean, notAcknowledged: string): { status: 'skip'; reason: string; exchanges?: Exchange[] } | undefined {
  if (!context.observer) return { status: 'skip', reason: NO_OBSERVER, exchanges: [] };
  if (delivery?.eventTs === undefined) return { status: 'skip', reason: 'the event has no event_ts to ask the observer about', exchanges: [] };
  if (!acknowledged) return { status: 'skip', reason: notAcknowledged };
  return undefined;
}

async function observe(
  context: ProbeContext,
  check: Check,
  event: string,
  exchanges: Exchange[],
  ask: (observer: NonNullable<ProbeContext['observer']>) => Promise<{ status: 'pass' | 'fail'; reason: string; exchanges?: Exchange[]; observed?: Observation }>,
): Promise<void> {
  try {
    const verdict = await ask(context.observer!);
    // The exchanges the verdict names (the delivery it is about), else all of them.
    context.record(check, event, { exchanges, ...verdict });
  } catch (error) {
    if (!(error instanceof ObserverError)) throw error;
    context.record(check, event, { status: 'skip', reason: `observer: ${error.message}`, exchanges });
  }
}

export const idempotencySuite: Suite = {
  id: 'idempotency',
  title: 'Idempotency',
  checks: [
    redelivery,
    concurrentDuplicates,
    appliedOnce,
    rejectedNeverApplied,
    firstArrivalCopies,
    firstArrivalAppliedOnce,
    sharedTimestamp,
    sharedTimestampApplied,
    abandonedRetry,
    abandonedAppliedOnce,
    lateRetry,
  ],
  probes: [lateRetries, redeliveries, rejections, firstArrivals, sharedTimestamps, abandonments],
};
