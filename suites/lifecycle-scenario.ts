/**
 * Lifecycle scenarios as fast-check model-based tests: a realistic meeting, webinar, Video SDK session, recording
 * or RTMS lifecycle (consistent ids, increasing event_ts) is delivered by a random sequence of commands: deliver a
 * step, deliver it again (a retry, fresh signature), deliver two copies released at the same instant (fresh or
 * not), deliver the step's twin (another body of the same event with the same event_ts, as when two participants
 * join in one millisecond). Steps come in any order, so out-of-order delivery and duplicates are the normal case.
 * After every command the receiver must have acknowledged, and with an observer every delivered body must have
 * been applied exactly once (a step and its twin count two for their shared event and event_ts). A step whose event
 * and event_ts the receiver had applied before the scenario first sent it (an earlier run with the same seed) is not
 * counted: its count says nothing of this run.
 */
import fc from 'fast-check';
import type { Exchange, HttpRequest } from '../engine/http.js';
import type { Delivery } from '../generators/deliveries.js';
import { availableLifecycles, LIFECYCLES, type Lifecycle, type LifecycleKind } from '../generators/lifecycles.js';
import { isAcknowledged } from '../profiles/zoom.js';
import type { WebhookEvent } from '../specs/catalog.js';
import { defineCheck, type Observation } from './check.js';
import type { Observer } from './observer.js';
import { outcome } from './outcome.js';

export const LIFECYCLE_CHECK = defineCheck({
  id: 'idempotency.fuzz-lifecycle',
  suite: 'idempotency',
  level: 'MUST',
  title: 'Random lifecycle deliveries (any order, retries, simultaneous copies, twins sharing event_ts) are acknowledged and applied once',
  rationale: 'Zoom delivers a meeting\'s events out of order and retries them; each must be acknowledged and applied exactly once.',
});

export interface ScenarioStep {
  /** Index into the lifecycle (modulo its length). */
  step: number;
  how: 'deliver' | 'together' | 'twin';
}

export interface LifecycleScenario {
  kind: LifecycleKind;
  /** Which lifecycle of the kind (its entity and clock). */
  index: number;
  commands: Iterable<fc.AsyncCommand<ScenarioModel, ScenarioReal>>;
}

export interface ScenarioModel {
  /** Steps delivered so far (each must have been applied once). */
  delivered: Set<number>;
  /** Steps whose twin was delivered (applied once more under the step's event and event_ts). */
  twins?: Set<number>;
  /**
   * Steps whose event and event_ts the receiver had applied before this scenario first sent them (an earlier run
   * with the same seed against the same receiver): their counts say nothing of this run, so they are not judged.
   */
  applied?: Set<number>;
}

export interface SentRequest {
  label: string;
  group: number;
  request: HttpRequest;
  exchange: Exchange;
}

export interface ScenarioReal {
  lifecycle: Lifecycle;
  /** Another body of step `index`'s event with the same event_ts (built once per step). */
  twin(index: number): Delivery;
  observer: Observer | undefined;
  /** How many times the receiver had applied the event and event_ts before it was sent (asked of the observer, tallied by the run). */
  appliedBefore(event: string, eventTs: number): Promise<number>;
  /** Signs and sends one request, or several at the same moment. */
  send(body: Buffer, label: string): Promise<Exchange>;
  together(body: Buffer, labels: string[]): Promise<Exchange[]>;
  /** Everything sent in this scenario, in order (for the failure report and the replay file). */
  log: SentRequest[];
  nextGroup(): number;
}

/** A failed expectation inside a scenario: fast-check shrinks the command sequence that led to it. */
export class ScenarioFailure extends Error {
  override name = 'ScenarioFailure';

  /** `observed`: what the observer reported, when that is the failure. */
  constructor(
    message: string,
    readonly observed?: Observation,
  ) {
    super(message);
  }
}

class DeliverStep implements fc.AsyncCommand<ScenarioModel, ScenarioReal> {
  constructor(readonly command: ScenarioStep) {}

  check(): boolean {
    return true;
  }

  async run(model: ScenarioModel, real: ScenarioReal): Promise<void> {
    const deliveries = real.lifecycle.deliveries;
    const index = this.command.step % deliveries.length;
    const twin = this.command.how === 'twin';
    const delivery = twin ? real.twin(index) : deliveries[index]!;
    const twins = (model.twins ??= new Set<number>());
    const seen = twin ? twins : model.delivered;
    const again = seen.has(index);
    const label = `step ${index + 1}/${deliveries.length} ${delivery.event}${twin ? ', its twin (another body, same event_ts)' : ''}${again ? ' (again)' : ''}`;
    const applied = (model.applied ??= new Set<number>());
    if (real.observer && delivery.eventTs !== undefined && !model.delivered.has(index) && !twins.has(index)) {
      // The first delivery of the step's event and event_ts in this scenario: none of it can have been applied yet.
      if ((await real.appliedBefore(delivery.event, delivery.eventTs)) > 0) applied.add(index);
    }
    const exchanges =
      this.command.how === 'together'
        ? await real.together(delivery.body, [`${label}, copy 1 of 2 released at the same instant`, `${label}, copy 2 of 2 released at the same instant`])
        : [await real.send(delivery.body, label)];
    for (const exchange of exchanges) {
      if (!isAcknowledged(exchange.response?.status)) throw new ScenarioFailure(`${exchange.request.label}: ${outcome(exchange)}; expected 200 or 204 within the deadline`);
    }
    seen.add(index);
    if (real.observer && delivery.eventTs !== undefined && !applied.has(index)) {
      // A step and its twin share event and event_ts: each delivered body counts once.
      const expected = (model.delivered.has(index) ? 1 : 0) + (twins.has(index) ? 1 : 0);
      const { count } = await real.observer.settledCount(delivery.event, delivery.eventTs, expected);
      if (count !== expected) {
        const what = expected === 2 ? 'the step and its twin (two different bodies with one event_ts) were' : 'it was';
        throw new ScenarioFailure(
          `${label}: applied ${count} time${count === 1 ? '' : 's'} in all where ${what} delivered${again || exchanges.length > 1 ? ' more than once' : ''}; expected ${expected}`,
          { applied: count, expected },
        );
      }
    }
  }

  toString(): string {
    return `${this.command.how} step ${this.command.step}`;
  }
}

/**
 * The steps (indexes into a lifecycle of `steps` deliveries) whose twin the scenario delivers, in the order it first
 * delivers each: the order running it asks for them in, when every command runs.
 */
export function twinSteps(scenario: LifecycleScenario, steps: number): number[] {
  const out: number[] = [];
  for (const item of scenario.commands) {
    // fast-check's command sequences hand out each command in a wrapper of its own (`cmd`) that records whether it ran.
    const command = typeof item === 'object' && item !== null && 'cmd' in item ? (item as { cmd: unknown }).cmd : item;
    if (!(command instanceof DeliverStep) || command.command.how !== 'twin') continue;
    const index = command.command.step % steps;
    if (!out.includes(index)) out.push(index);
  }
  return out;
}

/** Random scenarios over the lifecycles all of whose events are selected (none when there are none). */
export function scenarioArbitrary(events: readonly WebhookEvent[]): fc.Arbitrary<LifecycleScenario> | undefined {
  const kinds = availableLifecycles(events);
  if (kinds.length === 0) return undefined;
  const longest = Math.max(...kinds.map((kind) => LIFECYCLES[kind].length));
  const step = fc.record({ step: fc.nat(longest - 1), how: fc.constantFrom<ScenarioStep['how']>('deliver', 'deliver', 'together', 'twin') }, { noNullPrototype: true });
  return fc.record(
    {
      kind: fc.constantFrom(...kinds),
      index: fc.nat(7),
      commands: fc.commands([step.map((command) => new DeliverStep(command))], { maxCommands: 12 }),
    },
    { noNullPrototype: true },
  );
}
