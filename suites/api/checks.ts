/**
 * The API contract checks (`conformance api`): what any server that claims to implement a REST API spec must do
 * with the requests of one operation. Each check judges the exchanges of the requests it is fed (valid ones,
 * invalid bodies, missing or forged credentials) against exactly what the operation declares: its response
 * statuses, their media types and body schemas. Nothing is excepted by name: a 404 is fine where the operation
 * declares 404, and a failure where it does not.
 */
import type { Exchange } from '../../engine/http.js';
import type { ApiOperation, ApiResponse } from '../../specs/catalog.js';
import type { SchemaValidator } from '../../specs/schema-validator.js';
import { defineCheck, type Check, type Verdict } from '../check.js';
import { is5xx, labelOf, noServerError, outcome, rejectedWith4xx, statusOf } from '../outcome.js';

/** Which requests of an operation a check judges. */
export type ApiFeed = 'valid' | 'invalid-body' | 'without-credentials' | 'forged-token';

export interface ApiCheck extends Check {
  feeds: ApiFeed;
  /** Judges the exchanges of one operation's requests of its feed. */
  judgeOperation(exchanges: Exchange[], operation: ApiOperation, validator: SchemaValidator): Verdict;
}

function defineApiCheck(check: Omit<ApiCheck, 'suite'>): ApiCheck {
  return defineCheck({ ...check, suite: 'api-contract' }) as ApiCheck;
}

/** The declared response for a status: the exact code, then its range (`2XX`), then `default`. */
export function declaredResponse(operation: ApiOperation, status: number): ApiResponse | undefined {
  const exact = String(status);
  const range = `${exact[0]}XX`;
  return (
    operation.responses.find((response) => response.status === exact) ??
    operation.responses.find((response) => response.status.toUpperCase() === range) ??
    operation.responses.find((response) => response.status === 'default')
  );
}

function declaredStatuses(operation: ApiOperation): string {
  return operation.responses.map((response) => response.status).join(', ');
}

function headerText(exchange: Exchange, name: string): string | undefined {
  const value = exchange.response?.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Exchanges whose status the operation declares with a body: what content-type and schema checks judge. */
function withDeclaredBody(exchanges: Exchange[], operation: ApiOperation): { exchange: Exchange; response: Required<ApiResponse> }[] {
  const out: { exchange: Exchange; response: Required<ApiResponse> }[] = [];
  for (const exchange of exchanges) {
    const status = statusOf(exchange);
    const response = status === undefined ? undefined : declaredResponse(operation, status);
    if (response?.content) out.push({ exchange, response: response as Required<ApiResponse> });
  }
  return out;
}

/** Why a body check had nothing to judge: the operation declares no body, or no answer had such a status. */
function nothingToJudge(exchanges: Exchange[], operation: ApiOperation): Verdict {
  if (!operation.responses.some((response) => response.content)) return { status: 'skip', reason: 'the operation declares no response body' };
  const statuses = [...new Set(exchanges.map((exchange) => (exchange.response ? String(exchange.response.status) : outcome(exchange))))];
  const bodied = operation.responses.filter((response) => response.content).map((response) => response.status);
  return { status: 'skip', reason: `no answer had a status declared with a body (${bodied.join(', ')}); got ${statuses.join(', ')}` };
}

/** Pass when no judged item has a problem; else fail with the first problem (and how many more), showing those exchanges. */
function judgeEach<T extends { exchange: Exchange }>(judged: T[], problemOf: (item: T) => string | undefined): Verdict {
  const failures = judged.flatMap((item) => {
    const reason = problemOf(item);
    return reason === undefined ? [] : [{ exchange: item.exchange, reason }];
  });
  if (failures.length === 0) return { status: 'pass' };
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more of ${judged.length})` : '';
  return { status: 'fail', reason: `${failures[0]!.reason}${more}`, exchanges: failures.map((failure) => failure.exchange) };
}

/** `application/json; charset=utf-8` -> `{ type: 'application/json', charset: 'utf-8' }`. */
export function parseMediaType(value: string): { type: string; parameters: Record<string, string> } {
  const [type = '', ...rest] = value.split(';');
  const parameters: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq > 0) parameters[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { type: type.trim().toLowerCase(), parameters };
}

/** Whether a response's content-type is the declared media type; JSON may add `charset=utf-8` and nothing else. */
export function contentTypeConforms(actual: string | undefined, declared: string): boolean {
  if (!actual) return false;
  const { type, parameters } = parseMediaType(actual);
  const expected = parseMediaType(declared);
  if (type !== expected.type) return false;
  if (!/[/+]json$/.test(type)) return true;
  return Object.entries(parameters).every(([name, value]) => name === 'charset' && value.toLowerCase() === 'utf-8');
}

export const noServerErrorCheck = defineApiCheck({
  id: 'api-contract.no-server-error',
  level: 'MUST',
  title: 'Valid requests get an answer, never a 5xx',
  rationale: 'A client that sends what the spec allows must get an answer it can act on, not a crash, a dropped connection or a timeout.',
  feeds: 'valid',
  judgeOperation: (exchanges) => noServerError(exchanges),
});

export const declaredStatusCheck = defineApiCheck({
  id: 'api-contract.declared-status',
  level: 'MUST',
  title: 'Valid requests are answered with a status the operation declares',
  rationale: 'Clients branch on the documented status codes; an undeclared one (a 200 where 201 is documented, a 404 the operation never returns) breaks them.',
  feeds: 'valid',
  judgeOperation(exchanges, operation) {
    // 5xx and unanswered requests are no-server-error's to judge.
    const judged = exchanges.filter((exchange) => exchange.response && !is5xx(exchange));
    if (judged.length === 0) return { status: 'skip', reason: 'no answer below 500 to judge (see api-contract.no-server-error)' };
    return judgeEach(
      judged.map((exchange) => ({ exchange, status: statusOf(exchange)! })),
      ({ exchange, status }) => {
        if (declaredResponse(operation, status)) return undefined;
        const hint = status === 401 || status === 403 ? ' (is --token a valid token for this server?)' : '';
        return `${labelOf(exchange)}: ${outcome(exchange)}; the operation declares ${declaredStatuses(operation)}${hint}`;
      },
    );
  },
});

export const contentTypeCheck = defineApiCheck({
  id: 'api-contract.content-type',
  level: 'MUST',
  title: 'A response with a declared body has the declared media type',
  rationale: 'Clients choose their parser by Content-Type; JSON served as text/html or text/plain is refused or mis-read by strict clients.',
  feeds: 'valid',
  judgeOperation(exchanges, operation) {
    const judged = withDeclaredBody(exchanges, operation);
    if (judged.length === 0) return nothingToJudge(exchanges, operation);
    return judgeEach(judged, ({ exchange, response }) => {
      const actual = headerText(exchange, 'content-type');
      if (contentTypeConforms(actual, response.content.contentType)) return undefined;
      return `${labelOf(exchange)}: status ${response.status} with content-type ${actual ?? '(none)'}; the operation declares ${response.content.contentType}`;
    });
  },
});

export const responseSchemaCheck = defineApiCheck({
  id: 'api-contract.response-schema',
  level: 'MUST',
  title: 'A response body validates against the schema declared for its status',
  rationale: 'Clients read the documented fields with the documented types; a missing required field or a value of another type breaks them at run time.',
  feeds: 'valid',
  judgeOperation(exchanges, operation, validator) {
    const judged = withDeclaredBody(exchanges, operation);
    if (judged.length === 0) return nothingToJudge(exchanges, operation);
    // A body cut at the size limit cannot be validated.
    const complete = judged.filter(({ exchange }) => !exchange.response!.truncated);
    if (complete.length === 0) return { status: 'skip', reason: 'every body with a declared schema was larger than the response size limit of the run, so none could be validated' };
    return judgeEach(complete, ({ exchange, response }) => {
      const answer = exchange.response!;
      let body: unknown;
      try {
        body = JSON.parse(answer.body.toString('utf8'));
      } catch {
        return `${labelOf(exchange)}: status ${answer.status} with a body that is not JSON (${answer.bodyBytes} bytes)`;
      }
      const problems = validator.validate(response.content.schema, body);
      if (problems.length === 0) return undefined;
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : '';
      return `${labelOf(exchange)}: the body breaks the schema of the declared ${response.status} response: ${problems[0]!.path} ${problems[0]!.message}${more}`;
    });
  },
});

export const invalidBodyRejectedCheck = defineApiCheck({
  id: 'api-contract.invalid-body-rejected',
  level: 'SHOULD',
  title: 'A request body that breaks the schema (or is not JSON) is answered 4xx',
  rationale: 'A server that accepts a body its spec forbids stores data no client can read back, or fails later and further from the cause.',
  feeds: 'invalid-body',
  judgeOperation: (exchanges) => rejectedWith4xx(exchanges),
});

function answered401(exchanges: Exchange[]): Verdict {
  return judgeEach(
    exchanges.map((exchange) => ({ exchange })),
    ({ exchange }) => (statusOf(exchange) === 401 ? undefined : `${labelOf(exchange)}: ${outcome(exchange)}; expected 401`),
  );
}

export const authRequiredCheck = defineApiCheck({
  id: 'api-contract.auth-required',
  level: 'SHOULD',
  title: 'A request without a bearer token (none, another scheme, an empty one) is answered 401',
  rationale: 'An API that answers anonymous requests leaks its data to anyone who finds it; 401 tells a client to fetch a new token.',
  feeds: 'without-credentials',
  judgeOperation: answered401,
});

export const authTokenVerifiedCheck = defineApiCheck({
  id: 'api-contract.auth-token-verified',
  level: 'SHOULD',
  title: 'A well-formed bearer token the server did not issue (the given one, signature changed) is answered 401',
  rationale: 'A server that checks only that a token is present accepts forged tokens; clients rely on 401 to tell an expired or revoked token.',
  feeds: 'forged-token',
  judgeOperation: answered401,
});

/** Every API contract check, in report order. */
export const API_CHECKS: readonly ApiCheck[] = [
  noServerErrorCheck,
  declaredStatusCheck,
  contentTypeCheck,
  responseSchemaCheck,
  invalidBodyRejectedCheck,
  authRequiredCheck,
  authTokenVerifiedCheck,
];
