/** A lifecycle's step that arrives after a later step of the same meeting or session is refused. */
import { defineRule } from '../finding.js';
import { acknowledged, claim, count, genuine } from '../run.js';

/** The checks that deliver lifecycles in and out of order. */
const LIFECYCLE_CHECKS = new Set(['robustness.lifecycle', 'idempotency.fuzz-lifecycle']);

export const outOfOrderRejected = defineRule({
  id: 'out-of-order-rejected',
  title: 'Events that arrive out of order are refused',
  cause:
    'The receiver refuses an event older than one it already applied for the same meeting or session; Zoom does not guarantee order (retries come minutes later), so "started" can arrive after "ended" and must still be acknowledged.',
  fix: 'Acknowledge every event whatever its order; reconcile the state by event_ts (ignore an update older than the state) instead of refusing it.',
  fixExample: `res.status(200).end();                                   // acknowledge whatever the order
if (event.event_ts < lastApplied(objectId)) return;      // older than the state: nothing to change`,
  diagnose(run) {
    const refused = run.failing().filter(({ x, record }) => genuine(x) && LIFECYCLE_CHECKS.has(record.id) && !acknowledged(x) && x.response !== undefined);
    const statuses = new Set(refused.map(({ x }) => x.response!.status));
    if (statuses.size !== 1 || !refused.some(({ x }) => x.traits!.outOfOrder && !x.traits!.duplicate)) return [];
    const [status] = statuses;
    // Every refused step arrived after a later one about the same meeting or session (the order is the cause, not the
    // event type: a step refused in order would say otherwise), and nothing outside lifecycles is refused so.
    if (refused.some(({ x }) => !x.traits!.outOfOrder)) return [];
    if (run.genuine().some(({ x, record }) => !LIFECYCLE_CHECKS.has(record.id) && x.response?.status === status)) return [];
    return [
      {
        summary: `${count(refused.length, 'lifecycle delivery', 'lifecycle deliveries')} sent after a later step about the same meeting or session got ${status}; no step sent in order was refused.`,
        claims: refused.map(claim),
      },
    ];
  },
});
