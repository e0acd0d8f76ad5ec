/**
 * Acknowledgement: Zoom counts a delivery as received only when it is answered 200 or 204 within 3 seconds; any
 * other answer (or none) is a failure it retries, and repeated failures disable the subscription.
 */
import { toJsonText, type JsonTree } from '../generators/json-text.js';
import { deriveSeed } from '../generators/deliveries.js';
import type { WebhookEvent } from '../specs/catalog.js';
import { defineCheck, type Probe, type Suite } from './check.js';
import { acknowledgedInTime } from './outcome.js';

const validDelivery = defineCheck({
  id: 'acknowledgement.valid-delivery',
  suite: 'acknowledgement',
  level: 'MUST',
  title: 'Valid deliveries are answered 200 or 204 within the deadline',
  rationale: 'Anything else is a failed delivery to Zoom: it retries, and the receiver may act late, twice, or never.',
  judge: acknowledgedInTime,
});

const unknownEvent = defineCheck({
  id: 'acknowledgement.unknown-event',
  suite: 'acknowledgement',
  level: 'SHOULD',
  title: 'A signed delivery of an event type not in the spec is still acknowledged',
  rationale: 'Zoom adds event types; a receiver that rejects what it does not know fails deliveries it merely has to ignore.',
  judge: acknowledgedInTime,
});

const valid: Probe = {
  id: 'acknowledgement.valid',
  checks: [validDelivery],
  scope: 'event',
  async run(context, event) {
    const deliveries = context.sample(event!, 'valid', context.examples);
    const exchanges = await Promise.all(
      deliveries.map((delivery, index) => context.send(context.signed(delivery.body, { label: `valid ${event!.name} #${index + 1}`, delivery }))),
    );
    context.judge(validDelivery, event!.name, exchanges);
  },
};

/** Namespaces of the selected events (`meeting`, `session`, ...), one unknown event type in each (at most four). */
function unknownEventNames(events: readonly WebhookEvent[], seed: number): { name: string; template: WebhookEvent }[] {
  const byNamespace = new Map<string, WebhookEvent>();
  for (const event of events) {
    const namespace = event.name.split('.')[0]!;
    if (!byNamespace.has(namespace)) byNamespace.set(namespace, event);
  }
  const suffix = (deriveSeed(seed, 'unknown-event') >>> 0).toString(36).slice(0, 4);
  return [...byNamespace.entries()].slice(0, 4).map(([namespace, template]) => ({ name: `${namespace}.conformance_new_event_${suffix}`, template }));
}

const unknown: Probe = {
  id: 'acknowledgement.unknown',
  checks: [unknownEvent],
  scope: 'run',
  async run(context) {
    await Promise.all(
      unknownEventNames(context.events, context.seed).map(async ({ name, template }) => {
        // A real body of a known event of the same namespace, renamed: Zoom's new events look like their siblings.
        const [delivery] = context.sample(template, 'valid', 1, { salt: name });
        const value = { ...(delivery!.value as Record<string, JsonTree>), event: name };
        const exchange = await context.send(context.signed(Buffer.from(toJsonText(value), 'utf8'), { label: `${name} (not in the spec)`, event: name }));
        context.judge(unknownEvent, name, [exchange]);
      }),
    );
  },
};

export const acknowledgementSuite: Suite = {
  id: 'acknowledgement',
  title: 'Acknowledgement',
  checks: [validDelivery, unknownEvent],
  probes: [valid, unknown],
};
