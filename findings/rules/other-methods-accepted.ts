/** GET, PUT, PATCH or DELETE on the webhook URL are accepted. */
import { defineRule } from '../finding.js';
import { accepted, claim } from '../run.js';

export const otherMethodsAccepted = defineRule({
  id: 'other-methods-accepted',
  title: 'Other methods than POST are accepted',
  cause: 'The webhook route answers 2xx to other methods than POST (a catch-all route), exposing whatever it does to anything that can make a request.',
  fix: 'Route only POST to the webhook handler; answer 405 to the rest.',
  fixExample: `app.post('/zoom/webhook', handler);
app.all('/zoom/webhook', (req, res) => res.set('allow', 'POST').status(405).end());`,
  diagnose(run) {
    const accepting = run.failing().filter(({ record, x }) => record.id === 'robustness.wrong-method' && accepted(x));
    if (accepting.length === 0) return [];
    const methods = [...new Set(accepting.map(({ x }) => x.request.method))];
    return [{ summary: `${methods.join(', ')} on the webhook URL got 2xx.`, claims: accepting.map(claim), parameter: { name: 'methods accepted besides POST', value: methods.join(', ') } }];
  },
});
