/** A redelivery or a second copy of a delivery is refused, while first deliveries are acknowledged. */
import { DEDUPLICATE } from '../fix-examples.js';
import { defineRule } from '../finding.js';
import { acknowledged, claim, count, genuine } from '../run.js';

export const duplicatesRejected = defineRule({
  id: 'duplicates-rejected',
  title: 'Redeliveries are refused instead of acknowledged',
  cause:
    'The receiver refuses a delivery it has seen before (a retry, or the same event through a second subscription), so Zoom counts the retry as failed and retries again; a duplicate must be acknowledged and not applied again.',
  fix: 'Recognise a delivery seen before, answer it 200 like the first time, and do not apply it again.',
  fixExample: DEDUPLICATE,
  diagnose(run) {
    const refusedCopies = run.failing().filter(({ x }) => genuine(x) && x.traits!.duplicate && !acknowledged(x) && x.response !== undefined);
    const statuses = new Set(refusedCopies.map(({ x }) => x.response!.status));
    if (statuses.size !== 1) return [];
    const [status] = statuses;
    // First deliveries are acknowledged, and none is refused with the status the copies get.
    const firsts = run.genuine().filter(({ x }) => !x.traits!.duplicate);
    if (!firsts.some(({ x }) => acknowledged(x)) || firsts.some(({ x }) => x.response?.status === status)) return [];
    // A fuzz lifecycle's failure holds its whole sequence: explained when its only refusals are such copies.
    const refusedHere = new Set(refusedCopies.map(({ result, exchange }) => `${result}:${exchange}`));
    const sequences = run
      .failed('idempotency.fuzz-lifecycle')
      .filter(({ index, record }) => record.exchanges.every((x, exchange) => acknowledged(x) || refusedHere.has(`${index}:${exchange}`)));
    return [
      {
        summary: `${count(refusedCopies.length, 'redelivery', 'redeliveries')} (retries and copies of a delivery sent before) got ${status}; first deliveries were acknowledged.`,
        claims: [...refusedCopies.map(claim), ...sequences.map(({ index }) => ({ result: index }))],
      },
    ];
  },
});
