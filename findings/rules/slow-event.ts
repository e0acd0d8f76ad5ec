/** Deliveries of one or a few events get no answer within the deadline, while the others are answered in time. */
import { ACKNOWLEDGE_FIRST } from '../fix-examples.js';
import { defineRule } from '../finding.js';
import { claim, count, eventOf, signedNow, timedOut, type Located } from '../run.js';

/** Timeouts of one event needed to call it slow (one alone can be a hiccup of a loaded machine). */
const MIN_TIMEOUTS = 2;

export const slowEvent = defineRule({
  id: 'slow-event',
  title: 'Some events are answered too late',
  cause: 'The receiver does slow work for these events before it answers, so Zoom (which waits 3 seconds) counts their deliveries as failed and retries them.',
  fix: 'Acknowledge at once and do the work afterwards (a queue, a job, setImmediate).',
  fixExample: ACKNOWLEDGE_FIRST,
  diagnose(run) {
    if (!run.failing().some(({ x }) => timedOut(x))) return [];
    const timeouts = run.exchanges().filter(({ x }) => timedOut(x));
    const byEvent = new Map<string, Located[]>();
    for (const located of timeouts) {
      const event = eventOf(located);
      if (event === undefined) return []; // a timeout of something that is no event's delivery: not this cause
      byEvent.set(event, [...(byEvent.get(event) ?? []), located]);
    }
    // Few events, each slow more than once, and the other events answered: else the receiver is slow as a whole.
    const events = new Set(run.exchanges().flatMap((located) => eventOf(located) ?? []));
    const allowed = Math.max(1, Math.ceil(events.size * 0.05));
    if (byEvent.size > allowed || byEvent.size >= events.size || [...byEvent.values()].some((list) => list.length < MIN_TIMEOUTS)) return [];
    const latencies = [...byEvent.keys()].map((event) => {
      const sent = run.exchanges().filter((located) => eventOf(located) === event && signedNow(located.x));
      const sorted = sent.map(({ x }) => x.latencyMs).sort((a, b) => a - b);
      const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? run.deadlineMs;
      const late = sent.filter(({ x }) => timedOut(x)).length;
      return { event, p99, late, sent: sent.length, beyond: p99 >= run.deadlineMs || late / Math.max(1, sent.length) > 0.01 };
    });
    const words = latencies.map(({ event, p99, beyond }) => `${event}: p99 ${beyond ? `≥ ${run.deadlineMs}` : Math.round(p99)} ms`);
    const first = latencies[0]!;
    return [
      {
        summary: latencies.map(({ event, late, sent }) => `${event}: ${late} of ${count(sent, 'delivery', 'deliveries')} got no answer within ${run.deadlineMs} ms`).join('; ') + '; other events were answered in time.',
        claims: [...byEvent.values()].flat().filter(({ record }) => record.status === 'fail').map(claim),
        parameter: {
          name: `p99 latency of ${latencies.map(({ event }) => event).join(', ')}`,
          value: words.join('; '),
          unit: 'ms',
          atLeast: first.beyond ? run.deadlineMs : Math.round(first.p99),
        },
      },
    ];
  },
});
