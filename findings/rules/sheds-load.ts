/** Deliveries of a burst are refused (503, 429, ...) or time out, while deliveries at the run's concurrency are acknowledged. */
import { ACKNOWLEDGE_FIRST } from '../fix-examples.js';
import { defineRule } from '../finding.js';
import { claim, count, timedOut } from '../run.js';

export const shedsLoad = defineRule({
  id: 'sheds-load',
  title: 'A burst of deliveries is not all acknowledged',
  cause: 'The receiver refuses (or cannot answer in time) deliveries that arrive together, while it acknowledges them one at a time: Zoom delivers in bursts (participants joining, recordings completing) and retries what it refused.',
  fix: 'Acknowledge at once and queue the work, so that the answer does not wait for capacity; raise connection and rate limits on the webhook route.',
  fixExample: ACKNOWLEDGE_FIRST,
  diagnose(run) {
    const refused = run.failing().filter(({ record }) => record.id === 'robustness.burst');
    if (refused.length === 0) return [];
    const way = (x: (typeof refused)[number]['x']) => (x.response ? String(x.response.status) : (x.error?.kind ?? 'none'));
    const ways = new Set(refused.map(({ x }) => way(x)));
    // Answered (503, 429, ...), cut or late: not refused connections, which say the target went away.
    if ([...ways].some((kind) => !/^\d+$/.test(kind) && kind !== 'reset' && kind !== 'timeout')) return [];
    // Outside the burst, nothing was refused that way.
    const elsewhere = run.genuine().filter(({ record }) => record.id !== 'robustness.burst');
    if (elsewhere.some(({ x }) => ways.has(way(x)) || (timedOut(x) && ways.has('timeout')))) return [];
    return [{ summary: `${count(refused.length, 'delivery', 'deliveries')} of the burst got ${[...ways].join(', ')}; deliveries sent at the run's concurrency were acknowledged.`, claims: refused.map(claim) }];
  },
});
