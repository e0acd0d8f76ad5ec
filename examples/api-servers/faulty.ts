/**
 * Faulty variants of the compliant API fake (compliant.ts), ONE planted defect each, for testing
 * `conformance api`: each replaces one step of the compliant fake.
 *
 * Run one: `ZOOM_API_TOKEN=... node dist/examples/api-servers/faulty.js --defect NAME [--port N] [--host H]`;
 * `--list` prints the defect names.
 */
import type http from 'node:http';
import { breakSchema } from '../../generators/invalid.js';
import type { JsonTree } from '../../generators/json-text.js';
import { isMainModule, parseListenArguments, stopOnSignals, usageError } from '../receivers/command-line.js';
import { COMPLIANT_STEPS, createApiFake, listenAndAnnounce, readToken, successAnswer, type ApiFakeOptions, type FakeSteps } from './compliant.js';

export const API_DEFECTS = {
  'wrong-status': 'answers every success 200 OK, also where the spec declares 201 Created or 204 No Content',
  'schema-break': "answers bodies that break the declared schema (the example with one value of the wrong type)",
  'server-error': 'answers 500 to every valid request body (requests without a body are answered as usual)',
  'wrong-content-type': 'serves its JSON bodies as text/plain',
  'ignores-auth': 'answers every request, with or without a bearer token',
  'accepts-any-token': 'checks only that a bearer token is present, not that it is the right one',
} as const;

export type ApiDefect = keyof typeof API_DEFECTS;

export function isApiDefect(name: string): name is ApiDefect {
  return Object.hasOwn(API_DEFECTS, name);
}

function stepsFor(defect: ApiDefect): FakeSteps {
  switch (defect) {
    case 'wrong-status':
      return { ...COMPLIANT_STEPS, answerValid: (operation) => ({ ...successAnswer(operation), status: 200 }) };
    case 'schema-break':
      return {
        ...COMPLIANT_STEPS,
        answerValid(operation) {
          const answer = successAnswer(operation);
          const schema = operation.responses.find((response) => response.status === String(answer.status))?.content?.schema;
          if (!schema || answer.body === undefined) return answer;
          return { ...answer, body: breakSchema('schema.wrong-type', schema, answer.body as JsonTree, 0)?.value ?? answer.body };
        },
      };
    case 'server-error':
      return {
        ...COMPLIANT_STEPS,
        answerValid: (operation, body) => (body === undefined ? successAnswer(operation) : { status: 500, body: { code: 500, message: 'Internal error.' } }),
      };
    case 'wrong-content-type':
      return { ...COMPLIANT_STEPS, jsonContentType: 'text/plain; charset=utf-8' };
    case 'ignores-auth':
      return { ...COMPLIANT_STEPS, authorized: () => true };
    case 'accepts-any-token':
      return { ...COMPLIANT_STEPS, authorized: (header) => /^Bearer \S+$/.test(header ?? '') };
  }
}

/** A fake with one planted defect, as an `http.Server` not yet listening. */
export function createFaultyApiFake(defect: ApiDefect, options: ApiFakeOptions): http.Server {
  return createApiFake(options, stepsFor(defect));
}

if (isMainModule(import.meta.url)) {
  const { port, host, values } = parseListenArguments(process.argv.slice(2), { defect: { type: 'string' }, list: { type: 'boolean' } });
  if (values.list === true) {
    const width = Math.max(...Object.keys(API_DEFECTS).map((name) => name.length));
    for (const [name, description] of Object.entries(API_DEFECTS)) process.stdout.write(`${name.padEnd(width)}  ${description}\n`);
  } else {
    const defect = typeof values.defect === 'string' ? values.defect : '';
    if (!isApiDefect(defect)) usageError(`--defect must be one of: ${Object.keys(API_DEFECTS).join(', ')}${defect ? ` (got ${JSON.stringify(defect)})` : ''}`);
    const server = createFaultyApiFake(defect, { token: readToken() });
    listenAndAnnounce(server, { port, host, label: `Zoom API fake (defect: ${defect})` });
    stopOnSignals(server);
  }
}
