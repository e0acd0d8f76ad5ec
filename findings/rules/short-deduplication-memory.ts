/** Retries soon after a delivery are recognised; retries that come later are applied again. */
import { describeDuration } from '../../suites/outcome.js';
import { defineRule } from '../finding.js';
import { count, overApplied, rememberedRetryAges, sequentialCopiesDeduplicated, type Located } from '../run.js';

export const shortDeduplicationMemory = defineRule({
  id: 'short-deduplication-memory',
  title: 'Deliveries are forgotten before Zoom stops retrying them',
  cause:
    'The receiver forgets the deliveries it has applied too soon: Zoom retries 5, 20 and 60 minutes after the first attempt, and a retry that comes after the memory expired is applied again.',
  fix: 'Keep each delivery\'s deduplication record for at least 2 hours (Zoom\'s last retry comes about 85 minutes after the first attempt), in a store that survives restarts and is shared by every instance.',
  fixExample: `await store.setIfAbsent(deliveryId, { ttlSeconds: 2 * 60 * 60 }); // longer than Zoom retries (about 85 minutes)`,
  diagnose(run) {
    if (!sequentialCopiesDeduplicated(run)) return [];
    const retries = (located: { record: Located['record'] }) => located.record.exchanges.flatMap((x) => (x.traits?.retryAgeMs !== undefined ? [x.traits.retryAgeMs] : []));
    const late = run.failed('idempotency.late-retry', 'idempotency.fuzz-late-retry').filter(({ record }) => overApplied(record) && retries({ record }).length > 0);
    if (late.length === 0) return [];
    const forgottenAt = Math.min(...late.flatMap((located) => retries(located)));
    const remembered = rememberedRetryAges(run).filter((age) => age < forgottenAt);
    const rememberedAt = remembered.length > 0 ? Math.max(...remembered) : undefined;
    // Retries of abandoned attempts that came as late as a forgotten one: the same cause.
    const abandoned = run
      .failed('idempotency.abandoned-applied-once')
      .filter((located) => overApplied(located.record) && retries(located).some((age) => age >= forgottenAt));
    const failed = [...late, ...abandoned];
    return [
      {
        summary: `${count(failed.length, 'retry', 'retries')} ${describeDuration(forgottenAt)} or more after the first delivery ${failed.length === 1 ? 'was' : 'were'} applied again${rememberedAt !== undefined ? `, while retries ${describeDuration(rememberedAt)} after it were recognised` : ''}.`,
        claims: failed.map(({ index }) => ({ result: index })),
        parameter: {
          name: 'how long a delivery is remembered',
          value: rememberedAt !== undefined ? `between ${describeDuration(rememberedAt)} and ${describeDuration(forgottenAt)}` : `less than ${describeDuration(forgottenAt)}`,
          unit: 'ms',
          ...(rememberedAt !== undefined ? { atLeast: rememberedAt } : {}),
          atMost: forgottenAt,
        },
      },
    ];
  },
});
