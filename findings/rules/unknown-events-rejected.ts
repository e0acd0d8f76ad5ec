/** A correctly signed delivery of an event type the receiver does not know is refused. */
import { defineRule } from '../finding.js';
import { acknowledged, claim, count } from '../run.js';

export const unknownEventsRejected = defineRule({
  id: 'unknown-events-rejected',
  title: 'Event types the receiver does not know are refused',
  cause: 'The receiver refuses signed deliveries of event types it does not handle; Zoom adds event types, and a subscription that fails deliveries is eventually disabled.',
  fix: 'Acknowledge every verified delivery, and ignore the event types you do not handle.',
  fixExample: `switch (event.event) {
  case 'meeting.started': /* ... */ break;
  default: break;                  // not handled here: acknowledge and ignore
}
res.status(200).end();`,
  diagnose(run) {
    const refused = run.failing().filter(({ record, x }) => record.id === 'acknowledgement.unknown-event' && x.response !== undefined && !acknowledged(x));
    const statuses = new Set(refused.map(({ x }) => x.response!.status));
    const known = run.of('acknowledgement.valid-delivery').some(({ record }) => record.status === 'pass');
    if (statuses.size !== 1 || !known) return [];
    const [status] = statuses;
    return [{ summary: `${count(refused.length, 'delivery', 'deliveries')} of an event type not in the spec got ${status}, while the known event types were acknowledged.`, claims: refused.map(claim) }];
  },
});
