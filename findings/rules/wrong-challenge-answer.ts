/** The signed challenge is answered 200, but not with the answer Zoom expects. */
import { defineRule } from '../finding.js';
import { statusOf } from '../run.js';

export const wrongChallengeAnswer = defineRule({
  id: 'wrong-challenge-answer',
  title: 'The URL validation challenge is answered with a wrong answer',
  cause:
    'The signed challenge is answered 200, but not with {"plainToken": <the one sent>, "encryptedToken": <lowercase hex HMAC-SHA256 of plainToken with the secret token>}: Zoom will not save the endpoint, and disables it after six failed re-validations.',
  fix: 'Answer with the plainToken sent and its HMAC-SHA256 under the Secret Token, as lowercase hex (not base64), in a JSON object.',
  fixExample: `const { plainToken } = event.payload;
const encryptedToken = crypto.createHmac('sha256', SECRET).update(plainToken).digest('hex'); // hex, not base64
res.status(200).json({ plainToken, encryptedToken });`,
  diagnose(run) {
    const failed = run.failed('url-validation.answers-challenge').filter(({ record }) => record.exchanges.some((x) => statusOf(x) === 200));
    if (failed.length === 0) return [];
    return [{ summary: 'The signed challenge got 200, with an answer that is not the expected plainToken and encryptedToken.', claims: failed.map(({ index }) => ({ result: index })) }];
  },
});
