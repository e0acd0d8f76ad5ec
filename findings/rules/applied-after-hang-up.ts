/** A delivery whose sender hung up before the answer is applied, and its retry applied again. */
import { defineRule } from '../finding.js';
import { count, overApplied, rememberedRetryAges, sequentialCopiesDeduplicated } from '../run.js';

export const appliedAfterHangUp = defineRule({
  id: 'applied-after-hang-up',
  title: 'A delivery Zoom gave up on is applied, and its retry applied again',
  cause:
    'The receiver records a delivery as done only once its answer was sent; when Zoom hangs up at its 3-second deadline the work is done but not recorded, and Zoom\'s retry is applied again.',
  fix: 'Record the delivery as seen before its effects (or in the same transaction), whatever becomes of the answer; acknowledge at once and do slow work afterwards.',
  fixExample: `const first = await store.setIfAbsent(deliveryId);   // recorded before the work, whatever the answer
res.status(200).end();                                  // acknowledged at once
if (first) await apply(event);                          // the work, after the answer`,
  diagnose(run) {
    if (!sequentialCopiesDeduplicated(run)) return [];
    const failed = run.failed('idempotency.abandoned-applied-once').filter(({ record }) => overApplied(record));
    if (failed.length === 0) return [];
    // Not a short memory: each retry came no later than retries the receiver still remembered.
    const remembered = Math.max(-1, ...rememberedRetryAges(run));
    const retryAge = (exchanges: (typeof failed)[number]['record']['exchanges']) => Math.max(-1, ...exchanges.map((x) => x.traits?.retryAgeMs ?? -1));
    const within = failed.filter(({ record }) => retryAge(record.exchanges) >= 0 && retryAge(record.exchanges) <= remembered);
    if (within.length === 0) return [];
    return [
      {
        summary: `${count(within.length, 'delivery', 'deliveries')} whose first attempt the sender abandoned before the answer ${within.length === 1 ? 'was' : 'were'} applied again on the retry, while retries of deliveries answered normally were not.`,
        claims: within.map(({ index }) => ({ result: index })),
      },
    ];
  },
});
