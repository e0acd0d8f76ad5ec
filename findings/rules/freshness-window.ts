/**
 * Correctly signed deliveries with an old or a far-future timestamp are accepted: no freshness window (or one that
 * looks only one way). Names `no-freshness-window`, `stale-timestamps-accepted` or `future-timestamps-accepted`.
 */
import { FRESHNESS_WINDOW } from '../fix-examples.js';
import { defineRule, type Match } from '../finding.js';
import { accepted, claim, type Located } from '../run.js';

/** The deliveries signed correctly at another time than now, in one direction, and the bracket they give. */
function side(exchanges: readonly Located[], sign: 1 | -1): { accepted: Located[]; oldestAccepted: number; nearestRefused: number | undefined; consistent: boolean } {
  const shifted = exchanges.filter(({ x }) => x.traits?.signature === 'valid' && Math.sign(x.traits.timestampOffset ?? 0) === sign && x.response !== undefined);
  const ok = shifted.filter(({ x }) => accepted(x));
  const offset = ({ x }: Located) => Math.abs(x.traits!.timestampOffset!);
  const oldestAccepted = Math.max(0, ...ok.map(offset));
  const refused = shifted.filter(({ x }) => !accepted(x)).map(offset);
  const nearestRefused = refused.length > 0 ? Math.min(...refused) : undefined;
  // Consistent: everything accepted is nearer than everything refused (a window, or none).
  return { accepted: ok, oldestAccepted, nearestRefused, consistent: nearestRefused === undefined || oldestAccepted < nearestRefused };
}

export const freshnessWindow = defineRule({
  id: 'no-freshness-window',
  title: 'Timestamps are not checked for freshness',
  cause: 'The receiver verifies the signature but not how old or how far ahead the signed timestamp is, so a captured delivery can be replayed at any time.',
  fix: 'Refuse deliveries whose x-zm-request-timestamp is more than 5 minutes from now, either way (Zoom names no window; 5 minutes is the norm).',
  fixExample: FRESHNESS_WINDOW,
  diagnose(run) {
    if (!run.failing().some(({ x }) => x.traits?.signature === 'valid' && x.traits.timestampOffset && accepted(x))) return [];
    const exchanges = run.exchanges();
    const past = side(exchanges, -1);
    const future = side(exchanges, 1);
    const stale = past.consistent ? past.accepted.filter(({ record }) => record.status === 'fail') : [];
    const ahead = future.consistent ? future.accepted.filter(({ record }) => record.status === 'fail') : [];
    if (stale.length === 0 && ahead.length === 0) return [];
    const bound = (accepted: number, refused: number | undefined) => (refused === undefined ? `at least ${accepted} s` : `between ${accepted} s and ${refused} s`);
    const words: string[] = [];
    if (stale.length > 0) words.push(`${bound(past.oldestAccepted, past.nearestRefused)} old`);
    if (ahead.length > 0) words.push(`${bound(future.oldestAccepted, future.nearestRefused)} ahead`);
    // The bracket of the side that failed first: the age of old timestamps, else the lead of future ones.
    const primary = stale.length > 0 ? past : future;
    const parameter = {
      name: stale.length > 0 ? 'age of timestamps still accepted' : 'lead of timestamps still accepted',
      value: `${words.join(', and ')}${primary.nearestRefused === undefined ? ' (the furthest tried)' : ''}`,
      unit: 'seconds' as const,
      atLeast: primary.oldestAccepted,
      ...(primary.nearestRefused !== undefined ? { atMost: primary.nearestRefused - 1 } : {}),
    };
    const match: Match = {
      summary: `Correctly signed deliveries with a timestamp ${words.join(' and ')} were accepted.`,
      claims: [...stale, ...ahead].map(claim),
      parameter,
    };
    if (stale.length > 0 && ahead.length > 0) return [match];
    if (stale.length > 0) {
      return [
        {
          ...match,
          id: 'stale-timestamps-accepted',
          title: 'Old timestamps are accepted',
          cause: `The receiver accepts correctly signed deliveries whose timestamp is ${words[0]}: its freshness window is wider than that in the past, or it has none that way.`,
        },
      ];
    }
    return [
      {
        ...match,
        id: 'future-timestamps-accepted',
        title: 'Far-future timestamps are accepted',
        cause: `The receiver accepts correctly signed deliveries whose timestamp is ${words[0]}: its freshness window checks only the past (now - timestamp > window), so a post-dated delivery stays valid until then.`,
      },
    ];
  },
});
