/**
 * The diagnosis: a pure function from a run's results to the few causes behind its failures.
 *
 * Every rule looks at the whole run and claims the failed results (or the exchanges of failed results) its evidence
 * pattern explains. A failed result is explained by the first rule (in RULES order) that claims it as a whole, or,
 * when every one of its failing exchanges is claimed, by the rule that claims its first one (the exchange its reason
 * describes). What no rule explains becomes one `unexplained:<check id>` finding per check: nothing is hidden, and
 * nothing is blamed on a guess.
 */
import type { Level } from '../suites/check.js';
import type { Claim, Finding, FindingExample, Match, ResultEvidence, Rule, RunEvidence } from './finding.js';
import { RULES } from './rules/index.js';
import { outcomeOf, Run } from './run.js';

export interface Diagnosis {
  findings: Finding[];
  /** Per result (same index): the id of the finding that explains it; undefined for results that did not fail. */
  explainedBy: (string | undefined)[];
}

interface Matched {
  rule: Rule;
  match: Match;
}

export function diagnose(evidence: RunEvidence, rules: readonly Rule[] = RULES): Diagnosis {
  const results = evidence.results;
  if (!results.some((record) => record.status === 'fail')) return { findings: [], explainedBy: results.map(() => undefined) };
  const run = new Run(evidence);
  const matched: Matched[] = rules.flatMap((rule) => rule.diagnose(run).map((match) => ({ rule, match })));

  // The first match to claim each result as a whole, and each exchange.
  const wholesale = new Map<number, number>();
  const byExchange = new Map<string, number>();
  matched.forEach(({ match }, at) => {
    for (const { result, exchange } of match.claims) {
      if (results[result]?.status !== 'fail') continue;
      if (exchange === undefined) {
        if (!wholesale.has(result)) wholesale.set(result, at);
      } else if (!byExchange.has(`${result}:${exchange}`)) byExchange.set(`${result}:${exchange}`, at);
    }
  });
  const explaining: (number | undefined)[] = results.map((record, index) => {
    if (record.status !== 'fail') return undefined;
    const whole = wholesale.get(index);
    if (whole !== undefined) return whole;
    const claimed = record.exchanges.length > 0 && record.exchanges.every((_, exchange) => byExchange.has(`${index}:${exchange}`));
    return claimed ? byExchange.get(`${index}:0`) : undefined;
  });

  const findings: Finding[] = [];
  const explainedBy: (string | undefined)[] = results.map(() => undefined);
  matched.forEach(({ rule, match }, at) => {
    const explained = results.flatMap((_, index) => (explaining[index] === at ? [index] : []));
    if (explained.length === 0) return;
    const id = match.id ?? rule.id;
    if (findings.some((finding) => finding.id === id)) throw new Error(`internal: two findings named ${id}`);
    for (const index of explained) explainedBy[index] = id;
    const fixExample = match.fixExample ?? rule.fixExample;
    findings.push({
      id,
      level: highestLevel(explained.map((index) => results[index]!.level)),
      title: match.title ?? rule.title,
      cause: match.cause ?? rule.cause,
      fix: match.fix ?? rule.fix,
      ...(fixExample ? { fixExample } : {}),
      ...tally(results, explained),
      evidence: {
        summary: match.summary,
        example: exampleOf(results, new Set(explained), match),
        ...(match.parameter ? { parameter: match.parameter } : {}),
      },
    });
  });

  // What no rule explains: one finding per check.
  const unexplained = new Map<string, number[]>();
  results.forEach((record, index) => {
    if (record.status !== 'fail' || explainedBy[index] !== undefined) return;
    const list = unexplained.get(record.id) ?? [];
    list.push(index);
    unexplained.set(record.id, list);
  });
  for (const [checkId, indexes] of unexplained) {
    const first = results[indexes[0]!]!;
    const id = `unexplained:${checkId}`;
    for (const index of indexes) explainedBy[index] = id;
    const claims: Claim[] = indexes.flatMap((result) => results[result]!.exchanges.map((_, exchange) => ({ result, exchange })));
    findings.push({
      id,
      level: first.level,
      title: `Failures of ${checkId} that no rule explains`,
      cause: 'No rule recognises the pattern of these failures, so no cause is named: the evidence is mixed, or the cause is one this tool does not know yet.',
      fix: `Read each failure of ${checkId} (${first.title.replace(/\.$/, '')}): its reason, its exchange and the command that reproduces it.`,
      ...tally(results, indexes),
      evidence: {
        summary: `${indexes.length} failed result${indexes.length === 1 ? '' : 's'} of ${checkId}, in a pattern no rule names.`,
        example: exampleOf(results, new Set(indexes), { summary: '', claims: claims.length > 0 ? claims : indexes.map((result) => ({ result })) }),
      },
    });
  }
  return { findings: order(findings), explainedBy };
}

function highestLevel(levels: Level[]): Level {
  return levels.includes('MUST') ? 'MUST' : 'SHOULD';
}

function tally(results: readonly ResultEvidence[], explained: number[]): Pick<Finding, 'checks' | 'results'> {
  const checks = new Map<string, number>();
  for (const index of explained) checks.set(results[index]!.id, (checks.get(results[index]!.id) ?? 0) + 1);
  return { checks: [...checks].map(([id, count]) => ({ id, results: count })), results: explained.length };
}

/**
 * The example: the match's own choice, else the first claimed exchange the report keeps in full (it has the curl
 * command), else the first claim, always within a result the finding explains.
 */
function exampleOf(results: readonly ResultEvidence[], explained: ReadonlySet<number>, match: Match): FindingExample | null {
  const inside = match.claims.filter((candidate) => explained.has(candidate.result));
  const full = inside.find((candidate) => candidate.exchange !== undefined && results[candidate.result]!.exchanges[candidate.exchange]?.curl !== undefined);
  const chosen = (match.example && explained.has(match.example.result) ? match.example : undefined) ?? full ?? inside[0];
  if (!chosen) return null;
  const record = results[chosen.result]!;
  const exchange = chosen.exchange ?? firstFull(record);
  const x = exchange === undefined ? undefined : record.exchanges[exchange];
  return {
    check: record.id,
    event: record.event,
    exchange: exchange ?? null,
    description: x ? `${x.label ?? `${x.request.method} request`}: ${outcomeOf(x)}` : `${record.id} on ${record.event ?? 'the whole endpoint'}`,
    reproduce: record.reproduce,
  };
}

function firstFull(record: ResultEvidence): number | undefined {
  const at = record.exchanges.findIndex((x) => x.curl !== undefined);
  return at >= 0 ? at : record.exchanges.length > 0 ? 0 : undefined;
}

/** MUST before SHOULD; named causes before unexplained failures; then by the results explained. */
function order(findings: Finding[]): Finding[] {
  const rank = (finding: Finding) => (finding.level === 'MUST' ? 0 : 2) + (finding.id.startsWith('unexplained:') ? 1 : 0);
  return findings.sort((a, b) => rank(a) - rank(b) || b.results - a.results || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
