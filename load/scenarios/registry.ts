/**
 * Scenarios by name: `agtest load --scenario NAME` and a load config's "scenario" look them up
 * here. A new scenario adds its factory to SCENARIOS; its config schema is checked by the loader.
 */
import type { ScenarioFactory } from '../scenario.js';
import { httpScenario } from './http.js';
import { messageScenario } from './message.js';
import { oobFlowScenario } from './oob-flow.js';

export const SCENARIOS: Readonly<Record<string, ScenarioFactory<never>>> = {
  http: httpScenario as ScenarioFactory<never>,
  'oob-flow': oobFlowScenario as ScenarioFactory<never>,
  message: messageScenario as ScenarioFactory<never>,
};

export function scenarioNames(): string[] {
  return Object.keys(SCENARIOS);
}

export function findScenario(name: string): ScenarioFactory<unknown> | undefined {
  return Object.hasOwn(SCENARIOS, name) ? (SCENARIOS[name] as ScenarioFactory<unknown>) : undefined;
}
