/**
 * Deliveries carrying one kind of edge value (an emoji, an integer beyond 2^53, ...) crash the receiver (5xx or a
 * dropped connection), while edge deliveries without it are acknowledged: one finding per kind,
 * `crashes-on-<edge kind>`.
 */
import { EDGE_KINDS } from '../../generators/edge-kinds.js';
import { defineRule, type Match } from '../finding.js';
import { acknowledged, claim, count, crashed, type Located } from '../run.js';

/** Kinds that are one cause when both crash: one finding, named after the first. */
const ONE_CAUSE: { kinds: string[]; title: string }[] = [{ kinds: ['int64.above-safe', 'int64.max'], title: 'integers beyond 2^53 written exactly' }];

const KIND_ORDER = Object.keys(EDGE_KINDS);

function kindsOf({ x }: Located): readonly string[] {
  return x.traits?.edges ?? [];
}

export const crashesOnEdge = defineRule({
  id: 'crashes-on-<edge kind>',
  title: 'Deliveries with one kind of value crash the receiver',
  cause: 'The receiver fails on one kind of valid value.',
  fix: 'Find where the handler breaks on such a value (the example delivery carries one) and handle it; acknowledge the delivery whatever its processing does.',
  fixExample: `res.status(200).end();                          // the answer does not depend on the processing
try { await handle(event); } catch (error) { report(error, event); }`,
  diagnose(run) {
    if (!run.failing().some((located) => crashed(located.x) && kindsOf(located).length > 0)) return [];
    const deliveries = run.genuine().filter((located) => kindsOf(located).length > 0);
    if (!deliveries.some(({ x }) => acknowledged(x))) return [];
    const crashes = deliveries.filter(({ x, record }) => record.status === 'fail' && crashed(x));
    // A kind is a suspect when every delivery carrying it crashed (and one did), unless those crashes all carry another
    // kind that crashes without it too (two deliveries that crashed for their whitespace prove nothing of their ids).
    const carrying = new Map<string, Located[]>();
    for (const located of deliveries) for (const kind of kindsOf(located)) carrying.set(kind, [...(carrying.get(kind) ?? []), located]);
    const confounded = (kind: string, list: Located[]) =>
      kindsOf(list[0]!).some(
        (other) => other !== kind && list.every((located) => kindsOf(located).includes(other)) && crashes.some((located) => kindsOf(located).includes(other) && !kindsOf(located).includes(kind)),
      );
    const suspects = new Set([...carrying].filter(([kind, list]) => list.every(({ x }) => crashed(x)) && !confounded(kind, list)).map(([kind]) => kind));
    // The fewest suspects that account for the crashes: the kind carried by most uncovered crashes first.
    const chosen = new Map<string, Located[]>();
    let uncovered = crashes.filter((located) => kindsOf(located).some((kind) => suspects.has(kind)));
    while (uncovered.length > 0) {
      const best = [...suspects]
        .map((kind) => ({ kind, covers: uncovered.filter((located) => kindsOf(located).includes(kind)) }))
        .sort((a, b) => b.covers.length - a.covers.length || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind))[0]!;
      chosen.set(best.kind, best.covers);
      uncovered = uncovered.filter((located) => !best.covers.includes(located));
    }
    const matches: Match[] = [];
    const merged = new Set<string>();
    for (const group of ONE_CAUSE) {
      // One cause when one of them is chosen and none of the others was seen handled (acknowledged).
      const members = group.kinds.filter((kind) => chosen.has(kind));
      if (members.length === 0 || group.kinds.some((kind) => !suspects.has(kind) && carrying.has(kind))) continue;
      members.forEach((kind) => merged.add(kind));
      matches.push(finding(group.kinds[0]!, group.title, members.flatMap((kind) => chosen.get(kind)!), members.flatMap((kind) => carrying.get(kind)!)));
    }
    for (const [kind, list] of chosen) {
      if (!merged.has(kind)) matches.push(finding(kind, (EDGE_KINDS as Record<string, { title: string }>)[kind]?.title ?? kind, list, carrying.get(kind)!));
    }
    return matches;
  },
});

function finding(kind: string, title: string, crashes: Located[], carrying: Located[]): Match {
  const statuses = [...new Set(crashes.map(({ x }) => (x.response ? String(x.response.status) : (x.error?.kind ?? 'no answer'))))].join(', ');
  const rationale = (EDGE_KINDS as Record<string, { rationale: string }>)[kind]?.rationale;
  return {
    id: `crashes-on-${kind}`,
    title: `Deliveries with ${title} crash the receiver`,
    cause: `The receiver fails (${statuses}) on deliveries carrying ${title}, and acknowledges edge deliveries without it.${rationale ? ` ${rationale}` : ''}`,
    summary: `${carrying.length === 1 ? 'The only delivery' : `All ${count(new Set(carrying).size, 'delivery', 'deliveries')}`} carrying ${title} got ${statuses}; edge deliveries without it were acknowledged.`,
    claims: crashes.map(claim),
  };
}
