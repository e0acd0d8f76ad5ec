/** The observer shows a delivery applied more than once after a retry and duplicates. */
import { DEDUPLICATE } from '../fix-examples.js';
import { defineRule } from '../finding.js';

export const appliedTwice = defineRule({
  id: 'applied-twice',
  title: 'Redeliveries are applied again',
  cause: 'The receiver applies every copy of a delivery (Zoom retries, and a second subscription delivers the same event): effects happen twice or more.',
  fix: 'Deduplicate before applying: remember the deliveries applied (by the digest of the raw body, or event and event_ts) for longer than Zoom retries.',
  fixExample: DEDUPLICATE,
  diagnose(run) {
    // The main run sends each delivery four times (original, retry, two concurrent copies); fuzz lifecycles, any number.
    const failed = run.failed('idempotency.applied-once', 'idempotency.fuzz-lifecycle').filter(({ record }) => (record.observed?.applied ?? 0) > 1);
    if (failed.length === 0) return [];
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
