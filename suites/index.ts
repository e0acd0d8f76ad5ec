/** The suites, in the order they run and report. The list of suites and checks is derived from here. */
import { acknowledgementSuite } from './acknowledgement.js';
import type { Check, Suite, SuiteId } from './check.js';
import { idempotencySuite } from './idempotency.js';
import { robustnessSuite } from './robustness.js';
import { signatureSuite } from './signature.js';
import { urlValidationSuite } from './url-validation.js';

export const SUITES: readonly Suite[] = [urlValidationSuite, acknowledgementSuite, signatureSuite, idempotencySuite, robustnessSuite];

export function suiteById(id: SuiteId): Suite {
  return SUITES.find((suite) => suite.id === id)!;
}

export const ALL_CHECKS: readonly Check[] = SUITES.flatMap((suite) => suite.checks);
