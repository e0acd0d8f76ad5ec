/** Copies of a fresh delivery released together are applied more than once, while retries sent later are not. */
import { DEDUPLICATE } from '../fix-examples.js';
import { defineRule } from '../finding.js';
import { count, overApplied, sequentialCopiesDeduplicated, sequentialCopy } from '../run.js';

export const racyDeduplication = defineRule({
  id: 'racy-deduplication',
  title: 'Copies arriving together are both applied (check-then-act deduplication)',
  cause:
    'The receiver looks a delivery up and marks it seen with an await in between, so copies that arrive at the same moment (two subscriptions to one event) both pass the lookup and the event is applied twice.',
  fix: 'Make "mark as seen" one atomic step before the work: an insert on a unique key, Redis SET NX, or a synchronous check-and-add on an in-process Set with no await in between.',
  fixExample: DEDUPLICATE,
  diagnose(run) {
    // Retries sent one after another are deduplicated: the receiver does deduplicate, only not atomically.
    if (!sequentialCopiesDeduplicated(run)) return [];
    const failed = [
      ...run.failed('idempotency.first-arrival-applied-once').filter(({ record }) => overApplied(record)),
      // A fuzz lifecycle whose copies were all released together (no retry sent later among them).
      ...run
        .failed('idempotency.fuzz-lifecycle')
        .filter(({ record }) => overApplied(record) && record.exchanges.at(-1)?.traits?.simultaneous === true && !record.exchanges.some(sequentialCopy)),
    ];
    if (failed.length === 0) return [];
    const most = Math.max(...failed.map(({ record }) => record.observed!.applied));
    return [
      {
        summary: `${count(failed.length, 'delivery', 'deliveries')} whose copies arrived at the same instant ${failed.length === 1 ? 'was' : 'were'} applied more than once (up to ${most} times), while retries sent one after another were applied once.`,
        claims: failed.map(({ index }) => ({ result: index })),
        parameter: { name: 'times one delivery was applied', value: `up to ${most}`, atLeast: most },
      },
    ];
  },
});
