/**
 * Large bodies are written as the text around the grown array (or string) plus its items' text repeated, straight
 * into one buffer (issue 16): the bytes must be exactly the compact text of the grown value, for every event, both
 * ways of growing, and any item count.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeliveryGenerator, type Draft } from '../generators/deliveries.js';
import { textAround, toJsonText, type JsonTree } from '../generators/json-text.js';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import type { WebhookEvent } from '../specs/catalog.js';

const events = WEBHOOK_SYSTEMS.flatMap((system) => loadBundledSpec(system).events);

/** Large drafts of the event: the edge arbitrary's draws that took the large-body strategy. */
function largeDrafts(generator: DeliveryGenerator, event: WebhookEvent, count: number): Draft[] {
  const drafts = fc.sample(generator.draftArbitrary(event, 'edge'), { seed: 17, numRuns: 400 }).filter((draft) => draft.mode === 'edge' && draft.strategy === 'large');
  return drafts.slice(0, count);
}

describe('grown bodies', () => {
  it('are byte for byte the compact text of their grown value, for every event that can grow', () => {
    const generator = new DeliveryGenerator(8);
    const kinds = new Set<string>();
    let checked = 0;
    for (const event of events) {
      for (const draft of largeDrafts(generator, event, 2)) {
        const delivery = generator.materialize(event, draft);
        expect(delivery.body.equals(Buffer.from(toJsonText(delivery.value!), 'utf8')), event.name).toBe(true);
        expect(delivery.body.length).toBeGreaterThan(32_000);
        for (const note of delivery.edges) kinds.add(note.kind);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    // Both ways of growing are exercised by the bundled events.
    expect([...kinds]).toEqual(expect.arrayContaining(['array.large', 'string.long']));
  });

  it('the text around any place of a tree is what the compact text of the tree has around it', () => {
    const tree: fc.Arbitrary<JsonTree> = fc.letrec<{ node: JsonTree }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.string(),
        fc.constant(9223372036854775807n),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 3 }), tie('node'), { maxKeys: 3, noNullPrototype: true }),
      ),
    })).node;
    const places = (node: JsonTree, path: (string | number)[] = []): (string | number)[][] => {
      if (node === null || typeof node !== 'object') return [path];
      const children = Array.isArray(node) ? node.map((child, index) => places(child, [...path, index])) : Object.keys(node).map((key) => places(node[key] as JsonTree, [...path, key]));
      return [path, ...children.flat()];
    };
    fc.assert(
      fc.property(tree, fc.nat(), (value, pick) => {
        const all = places(value);
        const path = all[pick % all.length]!;
        const { before, after } = textAround(value, path);
        const marked = structuredClone(value);
        const replacement: JsonTree = ['x', { y: 1 }];
        if (path.length === 0) return before + toJsonText(replacement) + after === toJsonText(replacement);
        let parent = marked as Record<string | number, JsonTree>;
        for (const part of path.slice(0, -1)) parent = parent[part] as Record<string | number, JsonTree>;
        parent[path[path.length - 1]!] = replacement;
        return before + toJsonText(replacement) + after === toJsonText(marked);
      }),
      { numRuns: 1000 },
    );
  });
});
