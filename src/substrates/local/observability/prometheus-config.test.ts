import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { InvalidInputError } from '../../../errors/invalid-input-error.js';
import { ExecaCommandRunner } from '../../../process/execa-command-runner.js';
import { requireTool } from '../../../tools/find-tool.js';
import { PROMTOOL } from '../../../tools/tool-specs.js';
import { renderPrometheusConfig, type PrometheusConfigInput } from './prometheus-config.js';

const dir = mkdtempSync(join(tmpdir(), 'fd-promcfg-'));
const rules = join(dir, 'rules.yml');
writeFileSync(rules, 'groups:\n  - name: t\n    rules:\n      - alert: ALWAYS\n        expr: vector(1)\n');

const input: PrometheusConfigInput = {
  ruleFiles: [rules],
  alertmanagers: ['127.0.0.1:9093'],
  targets: [
    { job: 'shop', address: '127.0.0.1:4001', labels: { namespace: 'shop', pod: 'cart-0', app: 'cart' } },
    { job: 'shop', address: '127.0.0.1:4002', labels: { namespace: 'shop', pod: 'cart-1', app: 'cart' } },
    {
      job: 'shop',
      address: '127.0.0.1:4003',
      labels: { namespace: 'shop', pod: 'flags-0', app: 'flags' },
      metricsPath: '/internal/metrics',
    },
  ],
  extraJobs: [
    { job: 'kube-state-metrics', targets: ['127.0.0.1:4100'], honorLabels: true, scrapeIntervalSec: 10 },
  ],
};

describe('renderPrometheusConfig', () => {
  it('writes 5 s intervals, rule files, the Alertmanager and one static config per pod', () => {
    const cfg = parse(renderPrometheusConfig(input)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(cfg.global).toEqual({ scrape_interval: '5s', scrape_timeout: '5s', evaluation_interval: '5s' });
    expect(cfg.rule_files).toEqual([rules]);
    expect(cfg.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['127.0.0.1:9093']);
    expect(cfg.scrape_configs).toHaveLength(2);
    const [shop, ksm] = cfg.scrape_configs;
    expect(shop.job_name).toBe('shop');
    expect(shop.static_configs).toEqual([
      { targets: ['127.0.0.1:4001'], labels: { namespace: 'shop', pod: 'cart-0', app: 'cart' } },
      { targets: ['127.0.0.1:4002'], labels: { namespace: 'shop', pod: 'cart-1', app: 'cart' } },
      {
        targets: ['127.0.0.1:4003'],
        labels: { namespace: 'shop', pod: 'flags-0', app: 'flags', __metrics_path__: '/internal/metrics' },
      },
    ]);
    expect(ksm).toEqual({
      job_name: 'kube-state-metrics',
      scrape_interval: '10s',
      scrape_timeout: '10s',
      honor_labels: true,
      static_configs: [{ targets: ['127.0.0.1:4100'] }],
    });
  });

  it('is accepted by promtool check config', async () => {
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, renderPrometheusConfig({ ...input, scrapeIntervalSec: 0.5 }));
    const promtool = await requireTool(PROMTOOL);
    const result = await new ExecaCommandRunner().run(promtool.path, ['check', 'config', file]);
    expect(result.stdout + result.stderr).toMatch(/SUCCESS/);
    expect(result.exitCode).toBe(0);
  });

  it('rejects what Prometheus would reject, naming the culprit', () => {
    const bad =
      (over: Partial<PrometheusConfigInput>): (() => string) =>
      () =>
        renderPrometheusConfig({ ...input, ...over });
    expect(bad({ targets: [{ job: 'x', address: 'http://a:1' }] })).toThrow(
      /"http:\/\/a:1" is not host:port/,
    );
    expect(bad({ targets: [{ job: 'x', address: 'a:1', labels: { 'k8s.pod': 'x' } }] })).toThrow(
      InvalidInputError,
    );
    expect(bad({ extraJobs: [{ job: 'shop', targets: ['a:1'] }] })).toThrow(
      /duplicate Prometheus job name "shop"/,
    );
  });
});
