/**
 * The rules, in the order they claim failures: causes that explain many checks at once (no verification, the wrong
 * secret, a slow event) before the ones that explain one. Adding a rule: one file here, its line below, its test
 * in test/findings-rules-name-their-cause.test.ts.
 */
import type { Rule } from '../finding.js';
import { appliedAfterHangUp } from './applied-after-hang-up.js';
import { appliedTwice } from './applied-twice.js';
import { appliesBeforeVerifying } from './applies-before-verifying.js';
import { bodySizeLimit } from './body-size-limit.js';
import { crashesOnEdge } from './crashes-on-edge.js';
import { crashesOnSchemaViolation } from './crashes-on-schema-violation.js';
import { deduplicatesByEventTs } from './deduplicates-by-event-ts.js';
import { duplicatesRejected } from './duplicates-rejected.js';
import { freshnessWindow } from './freshness-window.js';
import { notJsonAnswer } from './not-json-answer.js';
import { otherMethodsAccepted } from './other-methods-accepted.js';
import { outOfOrderRejected } from './out-of-order-rejected.js';
import { prefixComparison } from './prefix-comparison.js';
import { racyDeduplication } from './racy-deduplication.js';
import { rejectsValidSignatures } from './rejects-valid-signatures.js';
import { rejectsWithStatus } from './rejects-with-status.js';
import { reserializedBody } from './reserialized-body.js';
import { shedsLoad } from './sheds-load.js';
import { shortDeduplicationMemory } from './short-deduplication-memory.js';
import { signatureNotVerified } from './signature-not-verified.js';
import { signingOracle } from './signing-oracle.js';
import { slowEvent } from './slow-event.js';
import { unknownEventsRejected } from './unknown-events-rejected.js';
import { versionPrefixIgnored } from './version-prefix-ignored.js';
import { wrongChallengeAnswer } from './wrong-challenge-answer.js';

export const RULES: readonly Rule[] = [
  signatureNotVerified,
  rejectsValidSignatures,
  signingOracle,
  wrongChallengeAnswer,
  prefixComparison,
  versionPrefixIgnored,
  freshnessWindow,
  appliesBeforeVerifying,
  slowEvent,
  bodySizeLimit,
  reserializedBody,
  rejectsWithStatus,
  duplicatesRejected,
  outOfOrderRejected,
  appliedTwice,
  racyDeduplication,
  deduplicatesByEventTs,
  appliedAfterHangUp,
  shortDeduplicationMemory,
  unknownEventsRejected,
  crashesOnEdge,
  crashesOnSchemaViolation,
  notJsonAnswer,
  otherMethodsAccepted,
  shedsLoad,
];
