/**
 * Robustness: schema-valid deliveries with hostile values, broken bodies, wrong methods, bursts, and lifecycles
 * delivered out of order with duplicates.
 *
 * Edge deliveries are split by who can send them: an edge Zoom itself produces (emoji in a topic, an empty list,
 * an omitted optional field, a property Zoom added) is a MUST; hostile-but-valid input Zoom is unlikely to send
 * (ids beyond 2^53, control characters, a 1 MB body, another byte encoding) is a SHOULD, with its rationale.
 */
import fc from 'fast-check';
import { deriveSeed, describeNote, type Delivery } from '../generators/deliveries.js';
import { INVALID_KINDS } from '../generators/edge-kinds.js';
import { breakJson, JSON_BREAKS } from '../generators/invalid.js';
import { availableLifecycles, buildLifecycle, type Lifecycle, type LifecycleEntity, type LifecycleKind } from '../generators/lifecycles.js';
import type { Exchange, HttpRequest } from '../engine/http.js';
import { defineCheck, type Probe, type ProbeContext, type Suite } from './check.js';
import { acknowledgedInTime, noServerError, notAccepted, rejectedWith4xx } from './outcome.js';

const edgeZoom = defineCheck({
  id: 'robustness.edge-zoom',
  suite: 'robustness',
  level: 'MUST',
  title: 'Schema-valid deliveries with edges Zoom itself sends are acknowledged',
  rationale: 'Emoji, right-to-left text, empty lists, omitted optional fields and new properties occur in real deliveries.',
  judge: acknowledgedInTime,
});

const edgeHostile = defineCheck({
  id: 'robustness.edge-hostile',
  suite: 'robustness',
  level: 'SHOULD',
  title: 'Schema-valid but hostile deliveries are acknowledged, never answered 5xx',
  rationale: 'Values Zoom is unlikely to send (ids beyond 2^53, control characters, ~1 MB bodies) are still valid; crashing on them is a latent bug.',
  judge: acknowledgedInTime,
});

const schemaInvalid = defineCheck({
  id: 'robustness.schema-invalid',
  suite: 'robustness',
  level: 'SHOULD',
  title: 'Signed bodies that break the schema get an answer, not a 5xx, a dropped connection or a hang',
  rationale: 'A crash on unexpected shapes is a bug waiting for Zoom\'s next change; a 4xx (or a lenient 2xx) is fine.',
  judge: noServerError,
});

const notJson = defineCheck({
  id: 'robustness.not-json',
  suite: 'robustness',
  level: 'SHOULD',
  title: 'Signed bodies that are not JSON are answered 4xx',
  rationale: 'Malformed input is the sender\'s fault: a 4xx says so, where a 5xx or a hang reads as an outage.',
  judge: rejectedWith4xx,
});

const wrongMethod = defineCheck({
  id: 'robustness.wrong-method',
  suite: 'robustness',
  level: 'SHOULD',
  title: 'Requests with another method than POST are not accepted',
  rationale: 'Zoom only POSTs; an endpoint that acts on GET or PUT exposes its effects to anything that can make a request.',
  judge: notAccepted,
  evidence: 'rejection',
});

const burst = defineCheck({
  id: 'robustness.burst',
  suite: 'robustness',
  level: 'SHOULD',
  title: 'A burst of concurrent valid deliveries is all acknowledged within the deadline',
  rationale: 'Zoom delivers in bursts (a webinar\'s participants joining, a recording batch); shedding load fails deliveries.',
  judge: acknowledgedInTime,
});

const lifecycle = defineCheck({
  id: 'robustness.lifecycle',
  suite: 'robustness',
  level: 'MUST',
  title: 'Lifecycles delivered in order, out of order and with duplicates are all acknowledged',
  rationale: 'Zoom does not guarantee order and retries independently, so "ended" can arrive before "started" and twice.',
  judge: acknowledgedInTime,
});

function edgeLabel(delivery: Delivery): string {
  return `edge: ${delivery.edges.map(describeNote).join('; ')}`;
}

const edges: Probe = {
  id: 'robustness.edges',
  checks: [edgeZoom, edgeHostile],
  scope: 'event',
  async run(context, event) {
    const wanted = context.examples;
    // Edges Zoom sends come from the Zoom-only flavor (a draft may carry none where the schema offers none);
    // hostile ones from the full edge mode, keeping drafts with at least one edge Zoom would not send. Drafts are
    // judged before their bytes are built, so nothing large is built to be thrown away.
    const plausible = context.wants(edgeZoom)
      ? context.sample(event!, 'edge', wanted, { flavor: 'zoom', where: (traits) => traits.edges > 0 && traits.zoomPlausible, draw: wanted * 12 })
      : [];
    const hostile = context.wants(edgeHostile) ? context.sample(event!, 'edge', wanted, { where: (traits) => !traits.zoomPlausible, draw: wanted * 12 }) : [];
    const send = (deliveries: Delivery[]) => Promise.all(deliveries.map((delivery) => context.send(context.signed(delivery.body, { label: edgeLabel(delivery), delivery }))));
    const [zoomExchanges, hostileExchanges] = await Promise.all([send(plausible), send(hostile)]);
    for (const [check, exchanges] of [
      [edgeZoom, zoomExchanges],
      [edgeHostile, hostileExchanges],
    ] as const) {
      if (exchanges.length === 0) context.record(check, event!.name, { status: 'skip', reason: 'the event\'s schema offers no such edge', exchanges: [] });
      else context.judge(check, event!.name, exchanges);
    }
  },
};

const invalidBodies: Probe = {
  id: 'robustness.invalid',
  checks: [schemaInvalid],
  scope: 'event',
  async run(context, event) {
    // Invalid mode mixes schema breakage with broken JSON; keep the drafts that break only the schema (a draft whose
    // schema offers no place for its breakage falls back to broken JSON: those are dropped after building).
    const broken = context
      .sample(event!, 'invalid', context.examples + 2, { where: (traits) => traits.schemaBreak, draw: 48 })
      .filter((delivery) => delivery.value !== undefined)
      .slice(0, context.examples);
    if (broken.length === 0) return context.record(schemaInvalid, event!.name, { status: 'skip', reason: 'no schema breakage drawn', exchanges: [] });
    const exchanges = await Promise.all(
      broken.map((delivery) => context.send(context.signed(delivery.body, { label: `invalid: ${delivery.edges.map(describeNote).join('; ')}`, delivery }))),
    );
    context.judge(schemaInvalid, event!.name, exchanges);
  },
};

const brokenJson: Probe = {
  id: 'robustness.not-json',
  checks: [notJson],
  scope: 'run',
  async run(context) {
    const event = context.events[0]!;
    const [delivery] = context.sample(event, 'valid', 1);
    const exchanges = await Promise.all(
      JSON_BREAKS.map((kind, index) => context.send(context.signed(breakJson(kind, delivery!.value!, index), { label: `not JSON: ${INVALID_KINDS[kind].title}`, event: delivery!.event }))),
    );
    context.judge(notJson, undefined, exchanges);
  },
};

const methods: Probe = {
  id: 'robustness.methods',
  checks: [wrongMethod],
  scope: 'run',
  async run(context) {
    const [delivery] = context.sample(context.events[0]!, 'valid', 1);
    const requests: HttpRequest[] = [
      { ...context.signed(Buffer.alloc(0), { method: 'GET', label: 'GET (signed empty body)' }), body: undefined },
      ...['PUT', 'PATCH', 'DELETE'].map((method) => context.signed(delivery!.body, { method, label: `${method} of a correctly signed delivery`, delivery: delivery! })),
    ];
    for (const request of requests) if (request.body === undefined) delete request.headers['content-type'];
    const exchanges = await Promise.all(requests.map((request) => context.send(request)));
    context.judge(wrongMethod, undefined, exchanges);
  },
};

const bursts: Probe = {
  id: 'robustness.burst',
  checks: [burst],
  scope: 'run',
  exclusive: true,
  async run(context) {
    const requests = Array.from({ length: context.burstSize }, (_, index) => {
      const event = context.events[index % context.events.length]!;
      const [delivery] = context.sample(event, 'valid', 1, { salt: `burst-${index}` });
      return context.signed(delivery!.body, { label: `burst ${index + 1}/${context.burstSize}: ${event.name}`, delivery: delivery! });
    });
    const exchanges = await context.burst(requests);
    context.judge(burst, undefined, exchanges);
  },
};

/** The out-of-order order of a lifecycle: a deterministic shuffle that never keeps the original order, plus duplicates. */
function disorder(count: number, seed: number): { index: number; duplicate: boolean }[] {
  const [order] = fc.sample(fc.shuffledSubarray([...Array(count).keys()], { minLength: count, maxLength: count }), { seed, numRuns: 1 });
  const shuffled = order!.every((value, index) => value === index) ? [...order!].reverse() : order!;
  const steps = shuffled.map((index) => ({ index, duplicate: false }));
  // The last event of the lifecycle arrives twice (at the front and at the end), and one from the middle once more.
  const last = count - 1;
  return [{ index: last, duplicate: false }, ...steps.filter((step) => step.index !== last), { index: last, duplicate: true }, { index: Math.floor(count / 2), duplicate: true }];
}

const lifecycles: Probe = {
  id: 'robustness.lifecycles',
  checks: [lifecycle],
  scope: 'run',
  async run(context) {
    const kinds = availableLifecycles(context.events);
    if (kinds.length === 0) {
      return context.record(lifecycle, undefined, { status: 'skip', reason: 'no lifecycle has all of its events among the selected events', exchanges: [] });
    }
    // Lifecycles about the same meeting or session go one after the other, so that what the receiver sees as out of
    // order is what was sent (the traits say which deliveries arrive late); the others go side by side.
    const planned = kinds.map((kind) => ({ kind, inOrder: buildLifecycle(context.generator, kind, context.events, 0), shuffled: buildLifecycle(context.generator, kind, context.events, 1) }));
    const groups: { keys: Set<string>; members: typeof planned }[] = [];
    for (const plan of planned) {
      const keys = new Set([entityKey(plan.inOrder.entity), entityKey(plan.shuffled.entity)]);
      const sharing = groups.filter((group) => [...keys].some((key) => group.keys.has(key)));
      const merged = { keys: new Set([...keys, ...sharing.flatMap((group) => [...group.keys])]), members: [...sharing.flatMap((group) => group.members), plan] };
      groups.splice(0, groups.length, ...groups.filter((group) => !sharing.includes(group)), merged);
    }
    const newest = new Map<string, number>();
    await Promise.all(groups.map(async (group) => {
      for (const plan of group.members) await runLifecycle(context, plan.kind, plan.inOrder, plan.shuffled, newest);
    }));
  },
};

/** The meeting or session a lifecycle is about. */
function entityKey(entity: LifecycleEntity): string {
  return entity.meetingUuid ?? entity.sessionId ?? '';
}

/**
 * Sends one lifecycle in order, then another of the kind out of order with duplicates. `newest` holds the newest
 * event_ts sent about each meeting or session: a delivery older than it arrives out of order.
 */
async function runLifecycle(context: ProbeContext, kind: LifecycleKind, inOrder: Lifecycle, shuffled: Lifecycle, newest: Map<string, number>): Promise<void> {
  const exchanges: Exchange[] = [];
  const send = async (entity: LifecycleEntity, delivery: Delivery, label: string, duplicate: boolean) => {
    const key = entityKey(entity);
    const eventTs = delivery.eventTs ?? 0;
    const outOfOrder = eventTs < (newest.get(key) ?? -Infinity);
    newest.set(key, Math.max(eventTs, newest.get(key) ?? -Infinity));
    exchanges.push(await context.send(context.signed(delivery.body, { label, delivery, duplicate, outOfOrder })));
  };
  for (const [step, delivery] of inOrder.deliveries.entries()) {
    await send(inOrder.entity, delivery, `in order ${step + 1}/${inOrder.deliveries.length}: ${delivery.event}`, false);
  }
  for (const { index, duplicate } of disorder(shuffled.deliveries.length, deriveSeed(context.seed, 'lifecycle-order', kind))) {
    const delivery = shuffled.deliveries[index]!;
    await send(shuffled.entity, delivery, `out of order: ${delivery.event} (step ${index + 1} of ${shuffled.deliveries.length})${duplicate ? ', again' : ''}`, duplicate);
  }
  context.judge(lifecycle, `lifecycle:${kind}`, exchanges);
}

export const robustnessSuite: Suite = {
  id: 'robustness',
  title: 'Robustness',
  checks: [edgeZoom, edgeHostile, schemaInvalid, notJson, wrongMethod, burst, lifecycle],
  probes: [edges, invalidBodies, brokenJson, methods, lifecycles, bursts],
};
