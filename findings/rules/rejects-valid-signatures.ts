/** Correctly signed deliveries are refused just like forgeries: the receiver verifies with another secret. */
import { defineRule } from '../finding.js';
import { accepted, claim, count, genuine } from '../run.js';

export const rejectsValidSignatures = defineRule({
  id: 'rejects-valid-signatures',
  title: 'Correctly signed deliveries are rejected like forgeries',
  cause:
    'Every delivery signed with the secret token given to the run was refused with the status forged signatures get: the receiver verifies with another secret token, or requires credentials the run did not send.',
  fix: "Give the receiver and the run the same Secret Token (the app's Feature page in the Zoom Marketplace; ZOOM_WEBHOOK_SECRET_TOKEN for the run), and pass any endpoint credentials with --basic, --bearer or --header.",
  diagnose(run) {
    if (!run.failing().some(({ x }) => genuine(x) && !accepted(x))) return [];
    const rejections = run.signatureRejections();
    if (rejections.size === 0) return [];
    const deliveries = run.genuine();
    if (deliveries.length < 2 || deliveries.some(({ x }) => accepted(x))) return [];
    const refused = deliveries.filter(({ x }) => x.response !== undefined && rejections.has(x.response.status));
    if (refused.length < deliveries.length / 2) return [];
    const statuses = [...new Set(refused.map(({ x }) => x.response!.status))].join(', ');
    return [
      {
        summary: `None of ${count(deliveries.length, 'correctly signed delivery', 'correctly signed deliveries')} was accepted; ${refused.length.toLocaleString('en-US')} got ${statuses}, the answer to a wrong signature.`,
        claims: refused.filter(({ record }) => record.status === 'fail').map(claim),
      },
    ];
  },
});
