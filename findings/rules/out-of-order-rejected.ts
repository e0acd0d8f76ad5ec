/** A lifecycle's earlier step that arrives after a later one is refused. */
import { defineRule } from '../finding.js';
import { acknowledged, claim, count, genuine } from '../run.js';

export const outOfOrderRejected = defineRule({
  id: 'out-of-order-rejected',
  title: 'Events that arrive out of order are refused',
  cause:
    'The receiver refuses an event older than one it already applied for the same meeting or session; Zoom does not guarantee order (retries come minutes later), so "started" can arrive after "ended" and must still be acknowledged.',
  fix: 'Acknowledge every event whatever its order; reconcile the state by event_ts (ignore an update older than the state) instead of refusing it.',
  fixExample: `res.status(200).end();                                   // acknowledge whatever the order
if (event.event_ts < lastApplied(objectId)) return;      // older than the state: nothing to change`,
  diagnose(run) {
    const deliveries = run.exchanges().filter(({ x }) => genuine(x));
    const refused = deliveries.filter(({ x, record }) => record.status === 'fail' && x.traits!.outOfOrder && !acknowledged(x) && x.response !== undefined);
    const statuses = new Set(refused.map(({ x }) => x.response!.status));
    if (statuses.size !== 1 || !refused.some(({ x }) => !x.traits!.duplicate)) return [];
    const [status] = statuses;
    // Deliveries in order are acknowledged, and none is refused with that status.
    const inOrder = deliveries.filter(({ x }) => !x.traits!.outOfOrder);
    if (!inOrder.some(({ x }) => acknowledged(x)) || inOrder.some(({ x }) => x.response?.status === status)) return [];
    return [
      {
        summary: `${count(refused.length, 'delivery', 'deliveries')} of a lifecycle step sent after a later step got ${status}; deliveries in order were acknowledged.`,
        claims: refused.map(claim),
      },
    ];
  },
});
