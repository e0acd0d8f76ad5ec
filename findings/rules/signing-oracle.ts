/** The URL validation challenge is answered without verifying its signature: the endpoint signs anything. */
import { defineRule } from '../finding.js';
import { accepted } from '../run.js';

export const signingOracle = defineRule({
  id: 'signing-oracle',
  title: 'The endpoint is a signing oracle: it answers unverified challenges',
  cause:
    'The receiver answers an endpoint.url_validation challenge before verifying its signature, so anyone can send plainToken = "v0:<timestamp>:<any body>" and get back a valid x-zm-signature for a forged delivery.',
  fix: 'Verify the signature of every request first, the challenge included; answer the challenge only once it verified.',
  fixExample: `if (!signatureMatches(req)) return res.status(401).end();   // before anything, challenges included
const event = JSON.parse(req.body);
if (event.event === 'endpoint.url_validation') {
  const { plainToken } = event.payload;
  const encryptedToken = crypto.createHmac('sha256', SECRET).update(plainToken).digest('hex');
  return res.status(200).json({ plainToken, encryptedToken });
}`,
  diagnose(run) {
    const failed = run
      .failed('url-validation.unsigned-challenge', 'url-validation.wrongly-signed-challenge')
      .filter(({ record }) => record.exchanges[0] !== undefined && accepted(record.exchanges[0]));
    if (failed.length === 0) return [];
    const forged = failed.some(({ record }) => record.exchanges[1] !== undefined && accepted(record.exchanges[1]));
    return [
      {
        summary: `${failed.map(({ record }) => record.id).join(' and ')}: the challenge was answered with a valid encryptedToken${forged ? ', and a forged delivery signed with it was accepted' : ''}.`,
        claims: failed.map(({ index }) => ({ result: index })),
        example: { result: failed[0]!.index, exchange: 0 },
      },
    ];
  },
});
