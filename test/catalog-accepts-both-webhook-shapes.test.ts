import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { loadBundledSpec, loadSpecFile, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { catalogRows } from '../cli/list.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'conformance-shapes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rewrites a 3.1 `webhooks` document in the shape of Zoom's downloadable files: events as keys of `paths`. */
function toPathsShape(document: Record<string, unknown>): Record<string, unknown> {
  const { webhooks, ...rest } = document;
  return { ...rest, paths: webhooks };
}

describe('the catalog loads user specs in either webhook shape', () => {
  for (const system of WEBHOOK_SYSTEMS) {
    it(`${system}: the event-named "paths" shape gives the same catalog as the "webhooks" shape`, async () => {
      const bundled = loadBundledSpec(system);
      const webhooksFile = path.join(dir, `${system}.webhooks.json`);
      const pathsFile = path.join(dir, `${system}.paths.json`);
      writeFileSync(webhooksFile, JSON.stringify(bundled.document));
      writeFileSync(pathsFile, JSON.stringify(toPathsShape(bundled.document)));
      const fromWebhooks = await loadSpecFile(webhooksFile, system);
      const fromPaths = await loadSpecFile(pathsFile, system);
      expect(fromWebhooks.events.length).toBeGreaterThan(0);
      expect(catalogRows([fromPaths])).toEqual(catalogRows([fromWebhooks]));
      expect(catalogRows([fromWebhooks])).toEqual(catalogRows([bundled]));
      expect(fromPaths.events.map((event) => event.body)).toEqual(fromWebhooks.events.map((event) => event.body));
    });
  }

  it('resolves local $refs and reads YAML', async () => {
    const document = {
      openapi: '3.1.0',
      info: { title: 'refs', version: '1' },
      components: { schemas: { Obj: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } },
      paths: {
        'demo.created': {
          post: {
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['event', 'payload'],
                    properties: { event: { type: 'string' }, payload: { $ref: '#/components/schemas/Obj' } },
                  },
                },
              },
            },
            responses: { '200': { description: 'ok' } },
          },
        },
      },
    };
    const file = path.join(dir, 'refs.yaml');
    writeFileSync(file, toYaml(document));
    const spec = await loadSpecFile(file);
    expect(spec.system).toBe('refs');
    expect(spec.events.map((event) => event.name)).toEqual(['demo.created']);
    expect(spec.events[0]!.body.schema.properties?.payload).toEqual(document.components.schemas.Obj);
    expect(catalogRows([spec])).toEqual([{ system: 'refs', kind: 'event', name: 'demo.created', fields: 3, required: 3 }]);
  });
});
