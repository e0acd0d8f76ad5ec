/** Every kind of forged signature is accepted: the receiver does not verify signatures at all. */
import { VERIFY_RAW_BODY } from '../fix-examples.js';
import { defineRule } from '../finding.js';
import { accepted, type Run } from '../run.js';

/** The checks whose failures an unverified endpoint explains. */
const FORGERY_CHECKS = [
  'signature.missing-signature',
  'signature.missing-timestamp',
  'signature.wrong-secret',
  'signature.tampered-body',
  'signature.changed-timestamp',
  'signature.version-prefix',
  'signature.empty-hex',
  'signature.truncated',
  'signature.other-body',
  'signature.stale-timestamp',
  'signature.future-timestamp',
  'url-validation.unsigned-challenge',
  'url-validation.wrongly-signed-challenge',
];
/** The evidence: no signature and a wrong one are both accepted, on every event tried. */
const EVIDENCE = ['signature.missing-signature', 'signature.wrong-secret', 'signature.tampered-body'];
/** A fuzz run's evidence: its forgeries of these kinds (the same three), every one of them accepted. */
const FUZZ_CHECK = 'signature.fuzz-forgery';
const FUZZ_EVIDENCE = ['missing-signature', 'wrong-secret', 'tampered'];

export const signatureNotVerified = defineRule({
  id: 'signature-not-verified',
  title: 'Signatures are not verified: forged deliveries are accepted',
  cause: 'The receiver accepts deliveries without a signature, with a wrong one and with a changed body alike: it does not verify x-zm-signature.',
  fix: 'Verify x-zm-signature over the raw body before doing anything with a request, and refuse (401) whatever does not verify.',
  fixExample: VERIFY_RAW_BODY,
  diagnose(run) {
    const evidence = EVIDENCE.flatMap((id) => run.of(id)).filter(({ record }) => record.status !== 'skip');
    if (evidence.length === 0) return fuzzed(run);
    if (evidence.some(({ record }) => record.status !== 'fail')) return [];
    const failed = run.failed(...FORGERY_CHECKS);
    return [
      {
        summary: `Every forgery was accepted: no signature, another secret's, a body changed after signing (${evidence.length} of ${evidence.length} results).`,
        claims: failed.map(({ index }) => ({ result: index })),
      },
    ];
  },
});

/** The fuzz run's forgeries: no signature, another secret's and a changed body each sent, and every one accepted. */
function fuzzed(run: Run) {
  const forgeries = run.of(FUZZ_CHECK).flatMap(({ record }) => record.exchanges.filter((x) => FUZZ_EVIDENCE.includes(x.traits?.signature ?? '')));
  const kinds = new Set(forgeries.map((x) => x.traits!.signature));
  if (kinds.size < FUZZ_EVIDENCE.length || !forgeries.every(accepted)) return [];
  return [
    {
      summary: `Every forgery without a signature, with another secret's or with a body changed after signing was accepted (${forgeries.length} of ${forgeries.length} fuzz deliveries).`,
      claims: run.failed(FUZZ_CHECK).map(({ index }) => ({ result: index })),
    },
  ];
}
