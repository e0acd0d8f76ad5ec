/** Two different deliveries that share event and event_ts: both acknowledged, one applied. */
import { DEDUPLICATE } from '../fix-examples.js';
import { defineRule } from '../finding.js';
import { acknowledged, count, underApplied } from '../run.js';

export const deduplicatesByEventTs = defineRule({
  id: 'deduplicates-by-event-ts',
  title: 'Different deliveries sharing event and event_ts are taken for one (events lost)',
  cause:
    'The receiver takes event and event_ts for the identity of a delivery, so a second, different delivery with the same pair (two participants joining a meeting in one millisecond) is taken for a retry and silently dropped.',
  fix: 'Deduplicate by what tells deliveries apart: the digest of the raw body (a retry repeats it byte for byte), or the event, event_ts and the ids of the object it is about together.',
  fixExample: DEDUPLICATE,
  diagnose(run) {
    // Each of the distinct deliveries was acknowledged; the observer saw fewer applications than deliveries.
    const failed = run
      .failed('idempotency.shared-timestamp-applied', 'idempotency.fuzz-lifecycle')
      .filter(({ record }) => underApplied(record) && (record.id === 'idempotency.fuzz-lifecycle' ? acknowledged(record.exchanges.at(-1)!) : record.exchanges.every(acknowledged)));
    if (failed.length === 0) return [];
    return [
      {
        summary: `${count(failed.length, 'pair', 'pairs')} of different deliveries with one event and event_ts ${failed.length === 1 ? 'was' : 'were'} acknowledged, but only one delivery of each pair was applied.`,
        claims: failed.map(({ index }) => ({ result: index })),
      },
    ];
  },
});
