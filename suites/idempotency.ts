/**
 * Idempotency: Zoom retries a delivery that was not acknowledged (same body, same event_ts, fresh timestamp and
 * signature), and one event can arrive twice when an app holds several subscriptions for it. A receiver must
 * acknowledge every copy and apply the delivery once; what it rejected it must never apply.
 *
 * "Applied" is only visible through the observer (`--observe`); without one those checks are skipped, never passed.
 */
import type { Exchange } from '../engine/http.js';
import { isAcknowledged } from '../profiles/zoom.js';
import { defineCheck, type Check, type Observation, type Probe, type ProbeContext, type Suite } from './check.js';
import { ObserverError } from './observer.js';
import { acknowledgedInTime, is2xx } from './outcome.js';

const redelivery = defineCheck({
  id: 'idempotency.redelivery',
  suite: 'idempotency',
  level: 'MUST',
  title: 'A redelivery (same body, fresh timestamp and signature) is acknowledged again',
  rationale: 'Zoom retries until it is acknowledged; a receiver that refuses a copy it has seen turns one lost answer into a failed delivery.',
  judge: acknowledgedInTime,
});

const concurrentDuplicates = defineCheck({
  id: 'idempotency.concurrent-duplicates',
  suite: 'idempotency',
  level: 'MUST',
  title: 'Two copies of a delivery arriving at the same moment are both acknowledged',
  rationale: 'Several subscriptions to one event deliver it twice at once; both copies must be acknowledged.',
  judge: acknowledgedInTime,
});

const appliedOnce = defineCheck({
  id: 'idempotency.applied-once',
  suite: 'idempotency',
  level: 'MUST',
  title: 'A delivery received four times (original, retry, two concurrent copies) is applied exactly once',
  rationale: 'Applying a retry or a duplicate again double-charges, double-notifies or double-counts.',
  needsObserver: true,
});

const rejectedNeverApplied = defineCheck({
  id: 'idempotency.rejected-never-applied',
  suite: 'idempotency',
  level: 'MUST',
  title: 'A delivery rejected for its signature is never applied',
  rationale: 'Applying before verifying lets anyone trigger the receiver\'s effects, whatever status it answers.',
  needsObserver: true,
});

const NO_OBSERVER = 'needs --observe URL: whether a delivery was applied is visible only through the observer contract';

const redeliveries: Probe = {
  id: 'idempotency.redeliveries',
  checks: [redelivery, concurrentDuplicates, appliedOnce],
  scope: 'event',
  async run(context, event) {
    const [delivery] = context.sample(event!, 'valid', 1);
    const body = delivery!.body;
    const original = await context.send(context.signed(body, { label: 'original delivery', delivery: delivery! }));
    const retry = await context.send(context.signed(body, { label: 'retry: same body, fresh timestamp and signature', delivery: delivery!, duplicate: true }));
    const copies = await context.together([
      context.signed(body, { label: 'copy 1 of 2 sent at the same moment', delivery: delivery!, duplicate: true }),
      context.signed(body, { label: 'copy 2 of 2 sent at the same moment', delivery: delivery!, duplicate: true }),
    ]);
    context.judge(redelivery, event!.name, [retry]);
    context.judge(concurrentDuplicates, event!.name, copies);
    const all = [original, retry, ...copies];
    if (!context.wants(appliedOnce)) return;
    if (!context.observer) return context.record(appliedOnce, event!.name, { status: 'skip', reason: NO_OBSERVER, exchanges: [] });
    if (delivery!.eventTs === undefined) {
      return context.record(appliedOnce, event!.name, { status: 'skip', reason: 'the event has no event_ts to ask the observer about', exchanges: [] });
    }
    if (!all.some((exchange) => isAcknowledged(exchange.response?.status))) {
      return context.record(appliedOnce, event!.name, { status: 'skip', reason: 'no copy was acknowledged (see the failed checks)', exchanges: all });
    }
    const eventTs = delivery!.eventTs;
    context.later(() =>
      observe(context, appliedOnce, event!.name, all, async (observer) => {
        const { count } = await observer.settledCount(event!.name, eventTs, 1);
        const observed = { applied: count };
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
            return { status: 'fail', reason: `applied ${count} time${count === 1 ? '' : 's'} though rejected with status ${exchange.response?.status ?? 'none'} (${exchange.request.label})`, observed: { applied: count } };
          }
        }
        return { status: 'pass', reason: `${rejected.length} rejected deliveries, none applied`, observed: { applied: 0 } };
      }),
    );
  },
};

async function observe(
  context: ProbeContext,
  check: Check,
  event: string,
  exchanges: Exchange[],
  ask: (observer: NonNullable<ProbeContext['observer']>) => Promise<{ status: 'pass' | 'fail'; reason: string; observed?: Observation }>,
): Promise<void> {
  try {
    const verdict = await ask(context.observer!);
    context.record(check, event, { ...verdict, exchanges });
  } catch (error) {
    if (!(error instanceof ObserverError)) throw error;
    context.record(check, event, { status: 'skip', reason: `observer: ${error.message}`, exchanges });
  }
}

export const idempotencySuite: Suite = {
  id: 'idempotency',
  title: 'Idempotency',
  checks: [redelivery, concurrentDuplicates, appliedOnce, rejectedNeverApplied],
  probes: [redeliveries, rejections],
};
