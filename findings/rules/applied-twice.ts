/** The observer shows a delivery applied more than once after a retry and duplicates. */
import { DEDUPLICATE } from '../fix-examples.js';
import { defineRule } from '../finding.js';
import { overApplied, sequentialCopy } from '../run.js';

export const appliedTwice = defineRule({
  id: 'applied-twice',
  title: 'Redeliveries are applied again',
  cause: 'The receiver applies every copy of a delivery (Zoom retries, and a second subscription delivers the same event): effects happen twice or more.',
  fix: 'Deduplicate before applying: remember the deliveries applied (by the digest of the raw body: event and event_ts alone are shared by different deliveries) for longer than Zoom retries, and mark one as seen in the same step as the lookup.',
  fixExample: DEDUPLICATE,
  diagnose(run) {
    // The main run sends each delivery four times (original, retry, two concurrent copies); fuzz lifecycles, any number
    // (a lifecycle whose copies were all released together is another matter: racy-deduplication).
    const sequential = [
      ...run.failed('idempotency.applied-once').filter(({ record }) => overApplied(record)),
      ...run.failed('idempotency.fuzz-lifecycle').filter(({ record }) => overApplied(record) && record.exchanges.some(sequentialCopy)),
    ];
    if (sequential.length === 0) return [];
    // A receiver that applies a plain retry again applies every other kind of copy again too.
    const consequences = run
      .failed('idempotency.first-arrival-applied-once', 'idempotency.abandoned-applied-once', 'idempotency.late-retry', 'idempotency.fuzz-late-retry', 'idempotency.fuzz-lifecycle')
      .filter(({ index, record }) => overApplied(record) && !sequential.some((entry) => entry.index === index));
    const failed = [...sequential, ...consequences];
    const most = Math.max(...failed.map(({ record }) => record.observed!.applied));
    return [
      {
        summary: `${failed.length} deliver${failed.length === 1 ? 'y' : 'ies'} sent more than once (retries, concurrent copies) ${failed.length === 1 ? 'was' : 'were'} applied more than once, up to ${most} times.`,
        claims: failed.map(({ index }) => ({ result: index })),
        parameter: { name: 'times one delivery was applied', value: `up to ${most}`, atLeast: most },
      },
    ];
  },
});
