import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { loadRuleFiles, RULE_TESTS_DIR, RULES_DIR } from '../../src/manifests/index.js';
import { requireTool } from './tools.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: Array<{ name: string; interval?: string; rules: Rule[] }>;
}
interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts?: Array<{ exp_labels?: Record<string, string> }>;
}
interface TestFile {
  rule_files: string[];
  tests: Array<{ alert_rule_test?: AlertTest[] }>;
}

function seconds(d: string): number {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
  if (!m || d === '') throw new Error(`unsupported duration ${d}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

let ruleFiles: string[];
let testFiles: string[];
let alerts: Rule[];
let alertTests: AlertTest[];

beforeAll(async () => {
  ruleFiles = await loadRuleFiles();
  testFiles = (await readdir(RULE_TESTS_DIR))
    .filter((f) => f.endsWith('.test.yaml'))
    .map((f) => join(RULE_TESTS_DIR, f))
    .sort();
  alerts = [];
  for (const f of ruleFiles) {
    const doc = parse(await readFile(f, 'utf8')) as RuleFile;
    for (const g of doc.groups) alerts.push(...g.rules.filter((r) => r.alert));
  }
  alertTests = [];
  for (const f of testFiles) {
    const doc = parse(await readFile(f, 'utf8')) as TestFile;
    for (const t of doc.tests) alertTests.push(...(t.alert_rule_test ?? []));
  }
});

describe('alert rules', () => {
  it('are the shop and kubernetes rule files, each with a promtool test file', () => {
    expect(ruleFiles.map((f) => f.slice(RULES_DIR.length + 1))).toEqual([
      'kubernetes.rules.yaml',
      'shop.rules.yaml',
    ]);
    expect(testFiles.map((f) => f.slice(RULE_TESTS_DIR.length + 1))).toEqual([
      'kubernetes.rules.test.yaml',
      'shop.rules.test.yaml',
    ]);
  });

  it('pass promtool check rules', async () => {
    const promtool = requireTool('promtool');
    const r = await execa(promtool, ['check', 'rules', ...ruleFiles], { reject: false, all: true });
    expect(r.all).not.toMatch(/FAILED/);
    expect(r.exitCode).toBe(0);
  });

  it('pass their promtool unit tests', async () => {
    const promtool = requireTool('promtool');
    const r = await execa(promtool, ['test', 'rules', ...testFiles], {
      reject: false,
      all: true,
      cwd: RULES_DIR,
    });
    if (r.exitCode !== 0) throw new Error(`promtool test rules failed:\n${r.all}`);
    expect(r.exitCode).toBe(0);
  });

  it('have unique names, a severity and team, a summary and a description', () => {
    const names = alerts.map((a) => a.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const a of alerts) {
      expect({ alert: a.alert, severity: a.labels?.severity }).toEqual({
        alert: a.alert,
        severity: expect.stringMatching(/^(critical|warning|info)$/),
      });
      expect(a.labels?.team).toBeTruthy();
      expect(Object.keys(a.annotations ?? {}).sort()).toEqual(['description', 'summary']);
    }
  });

  it('manifest within about a minute: `for` of 15 s to 1 m and 1 m rate windows', () => {
    for (const a of alerts) {
      const f = seconds(a.for ?? '0s');
      expect({ alert: a.alert, inRange: f >= 15 && f <= 60 }).toEqual({ alert: a.alert, inRange: true });
      for (const m of a.expr.matchAll(/\brate\([^[]*\[([^\]]+)\]/g)) {
        expect({ alert: a.alert, window: m[1] }).toEqual({ alert: a.alert, window: '1m' });
      }
    }
  });

  it('are each tested both firing and not firing, and the firing alerts name the affected entity', () => {
    for (const a of alerts) {
      const cases = alertTests.filter((t) => t.alertname === a.alert);
      const firing = cases.filter((t) => (t.exp_alerts ?? []).length > 0);
      const quiet = cases.filter((t) => (t.exp_alerts ?? []).length === 0);
      expect({ alert: a.alert, firing: firing.length > 0, quiet: quiet.length > 0 }).toEqual({
        alert: a.alert,
        firing: true,
        quiet: true,
      });
      for (const exp of firing.flatMap((t) => t.exp_alerts ?? [])) {
        const labels = exp.exp_labels ?? {};
        expect(labels.namespace).toBeTruthy();
        expect(
          labels.service ??
            labels.deployment ??
            labels.pod ??
            labels.horizontalpodautoscaler ??
            labels.resourcequota ??
            labels.job_name,
        ).toBeTruthy();
      }
    }
  });
});
