/**
 * The document a mock server (Prism) serves for user specs: one OpenAPI 3.1 document holding the REST operations
 * of every given spec, as the catalog read them (normalised, `$ref`s resolved, examples parsed), so the mock
 * answers with what the tool itself reads from the files. Webhook events are left out (a mock serves `paths`
 * only); each operation carries its own `security`, and the security schemes of all files are merged.
 */
import { SpecError, type Spec } from './catalog.js';
import { HTTP_METHODS, isRecord } from './openapi-walk.js';

export function mockDocument(specs: readonly Spec[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const securitySchemes: Record<string, unknown> = {};
  const schemeOwner = new Map<string, Spec>();
  for (const spec of specs) {
    const document = spec.document;
    const components = isRecord(document.components) ? document.components : {};
    for (const [name, scheme] of Object.entries(isRecord(components.securitySchemes) ? components.securitySchemes : {})) {
      const owner = schemeOwner.get(name);
      if (owner && JSON.stringify(securitySchemes[name]) !== JSON.stringify(scheme)) {
        throw new SpecError(spec.source, `security scheme "${name}" differs from the one in ${owner.source}: the mock serves both files at once`);
      }
      schemeOwner.set(name, spec);
      securitySchemes[name] = scheme;
    }
    for (const [route, item] of Object.entries(isRecord(document.paths) ? document.paths : {})) {
      if (!route.startsWith('/') || !isRecord(item)) continue;
      const pathItem: Record<string, unknown> = { ...(paths[route] ?? {}) };
      if (item.parameters !== undefined) pathItem.parameters = item.parameters;
      for (const method of HTTP_METHODS) {
        const operation = item[method];
        if (!isRecord(operation)) continue;
        pathItem[method] = { ...operation, ...(operation.security === undefined && document.security !== undefined ? { security: document.security } : {}) };
      }
      paths[route] = pathItem;
    }
  }
  const servers = specs.flatMap((spec) => (Array.isArray(spec.document.servers) ? spec.document.servers : [])).slice(0, 1);
  return {
    openapi: '3.1.0',
    info: { title: `mock of ${specs.map((spec) => spec.system).join(', ')}`, version: '1' },
    ...(servers.length > 0 ? { servers } : {}),
    paths,
    ...(Object.keys(securitySchemes).length > 0 ? { components: { securitySchemes } } : {}),
  };
}

/** The mock document as JSON text; a recursive schema cannot be written out and is refused. */
export function mockDocumentText(specs: readonly Spec[]): string {
  const document = mockDocument(specs);
  try {
    return `${JSON.stringify(document, null, 2)}\n`;
  } catch (error) {
    throw new SpecError(specs.map((spec) => spec.source).join(', '), `cannot be served by the mock (${(error as Error).message.split('\n')[0]})`);
  }
}
