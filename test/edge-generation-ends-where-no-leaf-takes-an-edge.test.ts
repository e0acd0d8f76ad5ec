/**
 * Edge mode filters its leaf strategy for drafts that carry an edge: where no leaf of a user's event can take one
 * (only formats without edge values, ranges that hold none of the edge numbers, enums), that filter would never end.
 * The strategy is then not used, and edge deliveries are drawn from the others.
 */
import { describe, expect, it } from 'vitest';
import { DeliveryGenerator } from '../generators/deliveries.js';
import { specFromText } from '../specs/catalog.js';

function webhookDocument(payload: Record<string, unknown>): string {
  return JSON.stringify({
    openapi: '3.1.0',
    info: { title: 'edges', version: '1' },
    webhooks: {
      'thing.happened': {
        post: {
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['event', 'event_ts', 'payload'],
                  properties: { event: { type: 'string' }, event_ts: { type: 'integer' }, payload: { type: 'object', required: Object.keys(payload), properties: payload } },
                },
              },
            },
          },
          responses: { '200': { description: 'ok' } },
        },
      },
    },
  });
}

describe('edge generation', () => {
  for (const [name, payload] of [
    ['a URI-format string', { link: { type: 'string', format: 'uri' } }],
    ['an integer between 5 and 9', { n: { type: 'integer', minimum: 5, maximum: 9 } }],
    ['an enum', { state: { type: 'string', enum: ['on', 'off'] } }],
  ] as const) {
    it(`ends for an event whose only leaf is ${name}`, async () => {
      const spec = await specFromText(webhookDocument(payload), 'edges.json');
      const event = spec.events[0]!;
      const deliveries = new DeliveryGenerator(1).generate(event, 'edge', 50);
      expect(deliveries).toHaveLength(50);
      for (const delivery of deliveries) expect(JSON.parse(delivery.body.toString('utf8')).event).toBe('thing.happened');
    }, 20_000);
  }
});
