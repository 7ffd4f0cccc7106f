import type { GroundTruth } from '../bundle/ground-truth.js';
import type { AlertsFile } from '../bundle/records.js';
import type { LeakFinding } from '../bundle/leak-rule.js';
import type { Scenario } from '../scenario/scenario.js';
import { attributionCheck } from './attribution-check.js';

export interface CheckResult {
  ok: boolean;
  detail: string;
}

export interface RunCheckInputs {
  scenario: Scenario;
  manifested: boolean;
  /** When the awaited alerts fired, if they did. */
  manifestedAt: number | undefined;
  injectedAt: number | undefined;
  /** When the wait started (end of the warmup); the timeout counts from here. */
  t0: number;
  now: number;
  firedAlerts: string[];
  alerts: AlertsFile;
  /**
   * Alerts background activity raises on purpose: allowed before the fault, and counted as the
   * incident's only when they started firing from the fault on.
   */
  backgroundAlerts?: readonly string[];
  leaks: readonly LeakFinding[];
  /** The ground truth derived at capture: its propagation says where the expected alerts fired. */
  truth: GroundTruth;
  /** The expected alerts each root cause answers for (expectedAlertsByCause); default all of them. */
  expectedFor?: (rootCause: string) => readonly string[];
}

/**
 * The alerts that fired for the incident: every alert that fired in the window, except that a name
 * background raises on purpose (an earlier episode's ShopHighErrorRate) counts only when it started
 * firing from the first fault on (a second of slack, as the wait allows): an episode's alert before the
 * fault says nothing of whether the incident showed.
 */
export function incidentFiredAlerts(
  fired: readonly string[],
  alerts: AlertsFile,
  injectedAt: number | undefined,
  backgroundAlerts: readonly string[] = [],
): string[] {
  const background = new Set(backgroundAlerts);
  const since = new Set(
    alerts.timeline
      .filter(
        (t) => t.state === 'firing' && (injectedAt === undefined || Date.parse(t.start) >= injectedAt - 1000),
      )
      .map((t) => t.alertname),
  );
  return fired.filter((a) => !background.has(a) || since.has(a));
}

/**
 * The manifest's `checks` for one run: manifested, expected alerts fired, attributed (the root causes
 * reach where they fired), quiet baseline, leak-free.
 */
export function runChecks(i: RunCheckInputs): Record<string, CheckResult> {
  const expected = i.scenario.spec.expect.alerts;
  const until = i.scenario.spec.observe.until;
  const fired = incidentFiredAlerts(i.firedAlerts, i.alerts, i.injectedAt, i.backgroundAlerts);
  const missingExpected = expected.filter((a) => !fired.includes(a));
  // A clean baseline: none of the alerts the incident is judged by (`expect`, `until`) fired before the
  // first fault, so they belong to the incident. Anything else that fired before it is the cluster's own
  // noise (a pod rescheduled, a rollout, the flapping info alert) and is left in the snapshot as such.
  const incidentAlerts = new Set([...expected, ...until.alerts]);
  const allowed = new Set(i.backgroundAlerts ?? []);
  const before = i.alerts.timeline.filter(
    (t) => t.state === 'firing' && i.injectedAt !== undefined && Date.parse(t.start) < i.injectedAt,
  );
  const early = before.filter((t) => incidentAlerts.has(t.alertname) && !allowed.has(t.alertname));
  const noise = [...new Set(before.filter((t) => !incidentAlerts.has(t.alertname)).map((t) => t.alertname))];
  return {
    manifested: {
      ok: i.manifested,
      detail: i.manifested
        ? `expected alerts firing ${Math.round(((i.manifestedAt ?? i.now) - (i.injectedAt ?? i.t0)) / 1000)}s after injection`
        : `not firing before the ${Math.round(i.scenario.spec.observe.timeoutMs / 1000)}s timeout: ${missingExpected.join(', ') || until.alerts.join(', ')}`,
    },
    expectedAlertsFired: {
      ok: missingExpected.length === 0,
      detail: missingExpected.length === 0 ? expected.join(', ') : `missing: ${missingExpected.join(', ')}`,
    },
    attributed: attributionCheck(i.truth, expected, i.expectedFor),
    quietBaseline: {
      ok: early.length === 0,
      detail:
        early.length > 0
          ? early.map((t) => `${t.alertname} firing at ${t.start} before injection`).join('; ')
          : noise.length > 0
            ? `before injection only other alerts fired (background): ${noise.join(', ')}`
            : '',
    },
    leakFree: {
      ok: i.leaks.length === 0,
      detail:
        i.leaks.length === 0
          ? ''
          : i.leaks
              .slice(0, 5)
              .map((l) => `${l.file}:${l.line}: "${l.term}"`)
              .join('; '),
    },
  };
}

/**
 * Whether the incident showed: the awaited alerts fired before the timeout, or (a scenario that waits
 * for nothing) every expected alert fired in the window.
 */
export function isManifested(
  scenario: Scenario,
  manifestedAt: number | undefined,
  firedAlerts: string[],
): boolean {
  const expected = scenario.spec.expect.alerts;
  return (
    manifestedAt !== undefined ||
    (scenario.spec.observe.until.alerts.length === 0 &&
      expected.length > 0 &&
      expected.every((a) => firedAlerts.includes(a)))
  );
}
