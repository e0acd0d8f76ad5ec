/** How an exchange ended, in words, and the judgements most checks share. */
import type { Exchange } from '../engine/http.js';
import { isAcknowledged } from '../profiles/zoom.js';
import type { Verdict } from './check.js';

/** `status 500 after 12 ms`, `no response within 3000 ms`, `connection closed without an answer after 4 ms`. */
export function outcome(exchange: Exchange): string {
  const ms = `${Math.round(exchange.latencyMs)} ms`;
  if (exchange.response) return `status ${exchange.response.status} after ${ms}`;
  const kind = exchange.error!.kind;
  return kind === 'timeout' || kind === 'refused' ? noAnswer(exchange) : `${noAnswer(exchange)} after ${ms}`;
}

/** Why an exchange got no answer, without its timing: the same words for every delivery dropped the same way. */
export function noAnswer(exchange: Exchange): string {
  const error = exchange.error!;
  switch (error.kind) {
    case 'timeout':
      return error.message;
    case 'refused':
      return 'connection refused';
    case 'reset':
      return 'connection closed without an answer';
    default:
      return error.message;
  }
}

/** `0.8 s`, `42 s`, `5.0 min`: a duration in the unit a reader expects. */
export function describeDuration(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 60_000).toFixed(1)} min`;
}

export function statusOf(exchange: Exchange): number | undefined {
  return exchange.response?.status;
}

export function is2xx(exchange: Exchange): boolean {
  const status = statusOf(exchange);
  return status !== undefined && status >= 200 && status < 300;
}

export function is4xx(exchange: Exchange): boolean {
  const status = statusOf(exchange);
  return status !== undefined && status >= 400 && status < 500;
}

export function is5xx(exchange: Exchange): boolean {
  const status = statusOf(exchange);
  return status !== undefined && status >= 500;
}

/** The label of an exchange's request, for messages (`retry`, `v1= prefix`). */
export function labelOf(exchange: Exchange): string {
  return exchange.request.label ?? `${exchange.request.method} request`;
}

function failing(exchanges: Exchange[], bad: (exchange: Exchange) => boolean, describe: (exchange: Exchange) => string): Verdict {
  const failures = exchanges.filter(bad);
  if (failures.length === 0) return { status: 'pass' };
  const first = failures[0]!;
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more of ${exchanges.length})` : '';
  return { status: 'fail', reason: `${describe(first)}${more}`, exchanges: failures };
}

/** Every exchange got 200 or 204 within the deadline. */
export function acknowledgedInTime(exchanges: Exchange[]): Verdict {
  return failing(
    exchanges,
    (exchange) => !isAcknowledged(statusOf(exchange)),
    (exchange) => `${labelOf(exchange)}: ${outcome(exchange)}; Zoom counts only 200 or 204 within the deadline as acknowledged`,
  );
}

/** No exchange got a 2xx. */
export function notAccepted(exchanges: Exchange[]): Verdict {
  return failing(exchanges, is2xx, (exchange) => `${labelOf(exchange)} was accepted: ${outcome(exchange)}`);
}

/** No exchange got a 5xx, a dropped connection or a timeout. */
export function noServerError(exchanges: Exchange[]): Verdict {
  return failing(
    exchanges,
    (exchange) => is5xx(exchange) || exchange.error !== undefined,
    (exchange) => `${labelOf(exchange)}: ${outcome(exchange)}`,
  );
}

/** Every exchange got a 4xx (a clean rejection). */
export function rejectedWith4xx(exchanges: Exchange[]): Verdict {
  return failing(exchanges, (exchange) => !is4xx(exchange), (exchange) => `${labelOf(exchange)}: ${outcome(exchange)}; expected a 4xx`);
}
