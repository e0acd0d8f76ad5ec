/** A signature that is a prefix of the right one passes: the comparison stops where the received one ends. */
import { CONSTANT_TIME_COMPARE } from '../fix-examples.js';
import { defineRule } from '../finding.js';
import { accepted, claim, count } from '../run.js';

/** Signatures shorter than the right one: `v0=` alone, or the digest cut short. */
const SHORT = new Set(['empty-digest', 'truncated']);

export const prefixComparison = defineRule({
  id: 'prefix-comparison',
  title: 'A prefix of the right signature is accepted',
  cause:
    'The receiver accepts "v0=" and signatures cut short, while it refuses wrong signatures of full length: it compares only as far as the received signature goes (startsWith, or a loop over the shorter string), so an attacker needs to guess a few hex digits, or none.',
  fix: 'Compare the whole signature: equal lengths, then crypto.timingSafeEqual.',
  fixExample: CONSTANT_TIME_COMPARE,
  diagnose(run) {
    const short = run.failing().filter(({ x }) => SHORT.has(x.traits?.signature ?? '') && accepted(x));
    if (short.length === 0) return [];
    const refused = run.wrongDigestsRefused();
    if (refused === 0) return [];
    return [
      {
        summary: `${count(short.length, 'short signature')} (v0= alone, or the digest cut short) accepted; all ${count(refused, 'wrong signature')} of full length refused.`,
        claims: short.map(claim),
      },
    ];
  },
});
