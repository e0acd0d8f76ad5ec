/**
 * zoom-conformance as a library: the package's public API (`import { runConformance } from 'zoom-conformance'`).
 * Thin wiring over the same functions as the command line; the vitest integration is `zoom-conformance/vitest`.
 *
 * - runConformance(options): the main job, resolving to the report the JSON report holds;
 * - generateDeliveries, signDelivery, challengeDelivery, checkChallengeAnswer, challengeToken: for a receiver's unit tests;
 * - listEvents, listOperations, eventSchema, loadSpec, SYSTEMS: the catalog;
 * - listChecks: every check with its level and rationale;
 * - defineConfig: types a conformance.config.mjs or .ts.
 */
export { runConformance, ConformanceInternalError } from './library/run-conformance.js';
export { generateDeliveries, signDelivery, challengeDelivery, checkChallengeAnswer } from './library/deliveries.js';
export type { GenerateOptions, GeneratedDelivery, SignOptions, ChallengeOptions, ChallengeDelivery, ChallengeVerdict } from './library/deliveries.js';
export { listEvents, listOperations, eventSchema, loadSpec, SYSTEMS } from './library/catalog.js';
export type { EventInfo, SpecChoice } from './library/catalog.js';
export { defineConfig } from './library/define-config.js';
export { challengeToken, zoomSignature } from './profiles/zoom.js';
export { checkList as listChecks } from './suites/check-list.js';
export type { CheckInfo } from './suites/check-list.js';
export { UsageError } from './job/usage-error.js';
export { SpecError } from './specs/catalog.js';
export { OPTIONS_SCHEMA } from './job/options.js';
export { BASELINE_SCHEMA } from './job/baseline.js';
export { REPORT_SCHEMA } from './reports/report-schema.js';

export type { ConformanceOptions, ConfigOptions, ConsoleOptions, ListOption, Target } from './job/options.js';
export type { RequestListener, FetchHandler } from './engine/in-process-target.js';
export type { CountFunction } from './suites/observer.js';
export type { RunProgress } from './suites/runner.js';
export type { ConformanceReport, CheckRecord, ExchangeRecord, BodyRecord } from './reports/report.js';
export type { Summary, Tally, LatencySummary } from './reports/summary.js';
export type { Finding, FindingExample, Parameter } from './findings/finding.js';
export type { BaselineEntry, BaselineSection, Acceptance, EntryStatus } from './reports/baseline.js';
export type { Level, Status, SuiteId, Observation } from './suites/check.js';
export type { Mode, DeliveryNote } from './generators/deliveries.js';
export type { Spec, WebhookEvent, ApiOperation } from './specs/catalog.js';
export type { JsonSchema } from './specs/json-schema.js';
export type { RequestTraits } from './engine/http.js';
