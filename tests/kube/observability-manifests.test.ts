import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { containersOf } from '../../src/kube/containers.js';
import type { Container } from '../../src/kube/kube-object.js';
import { podSpecOf, podTemplateOf } from '../../src/kube/pod-template.js';
import { asKind, asService, ofKind } from '../../src/kube/typed-objects.js';
import {
  describeObject,
  loadManifests,
  SHOP_MANIFESTS_DIR,
  type K8sObject,
} from '../../src/manifests/index.js';
import {
  OBSERVABILITY_MANIFESTS_DIR,
  observabilityObjects,
} from '../../src/substrates/kubernetes/deploy-objects.js';
import { imageReferences, loadVersions } from '../../src/versions/index.js';
import { unknownFields } from '../manifests/strict-fields.js';
import { SCHEMAS } from '../manifests/k8s-schemas.js';
import { requireTool } from '../manifests/tools.js';

interface RelabelRule {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: string;
}
interface ScrapeJob {
  job_name: string;
  honor_labels?: boolean;
  metrics_path?: string;
  scheme?: string;
  kubernetes_sd_configs?: Array<{ role: string; namespaces?: { names: string[] } }>;
  static_configs?: Array<{ targets: string[] }>;
  relabel_configs?: RelabelRule[];
  metric_relabel_configs?: RelabelRule[];
  tls_config?: { ca_file?: string };
  authorization?: { credentials_file?: string };
}
interface PrometheusConfig {
  global: Record<string, string>;
  rule_files: string[];
  alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
  scrape_configs: ScrapeJob[];
}

/**
 * Prometheus relabelling (replace, keep, drop, labeldrop) over one label set, as Prometheus applies it:
 * anchored regexes, `;`-joined source labels, `$1` replacements, an empty result deleting the label.
 * Returns undefined when the target is dropped. Enough to check the label contract without a cluster.
 */
function relabel(
  labels: Record<string, string>,
  rules: readonly RelabelRule[],
): Record<string, string> | undefined {
  const out = { ...labels };
  for (const r of rules) {
    const re = new RegExp(`^(?:${r.regex ?? '(.*)'})$`);
    const action = r.action ?? 'replace';
    if (action === 'labeldrop') {
      for (const k of Object.keys(out)) if (re.test(k)) delete out[k];
      continue;
    }
    const value = (r.source_labels ?? []).map((l) => out[l] ?? '').join(r.separator ?? ';');
    const m = re.exec(value);
    if (action === 'keep' && !m) return undefined;
    if (action === 'drop' && m) return undefined;
    if (action === 'replace' && m && r.target_label) {
      const v = (r.replacement ?? '$1').replace(/\$(\d+)/g, (_, i: string) => m[Number(i)] ?? '');
      if (v === '') delete out[r.target_label];
      else out[r.target_label] = v;
    }
  }
  // Meta labels are dropped after relabelling.
  for (const k of Object.keys(out)) if (k.startsWith('__meta_')) delete out[k];
  return out;
}

const versions = loadVersions();
const refs = imageReferences(versions);
let raw: K8sObject[];
let deployed: K8sObject[];
let prom: PrometheusConfig;

const find = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const container = (name: string): Container => containersOf(podSpecOf(find(raw, 'Deployment', name)))[0]!;

beforeAll(async () => {
  raw = await loadManifests(OBSERVABILITY_MANIFESTS_DIR);
  deployed = await observabilityObjects();
  prom = parse(
    find(raw, 'ConfigMap', 'prometheus-config')?.data?.['prometheus.yml'] ?? '',
  ) as PrometheusConfig;
});

describe('manifests/observability', () => {
  it('validates against the Kubernetes schema with no unknown fields', () => {
    const failures: string[] = [];
    for (const obj of raw) {
      const schema = SCHEMAS[`${obj.apiVersion}/${obj.kind}`];
      if (!schema) {
        failures.push(`${describeObject(obj)}: no schema for ${obj.apiVersion} ${obj.kind}`);
        continue;
      }
      try {
        new schema.model(obj as never).validate();
      } catch (err) {
        failures.push(`${describeObject(obj)}: ${(err as Error).message}`);
      }
      for (const p of unknownFields(obj, schema.clientType))
        failures.push(`${describeObject(obj)}: unknown field ${p}`);
    }
    expect(failures).toEqual([]);
  });

  it('runs exactly the images versions.json pins for the observability stack', () => {
    const images = raw
      .filter((o) => o.kind === 'Deployment')
      .flatMap((o) => containersOf(podSpecOf(o)).map((c) => c.image))
      .sort();
    expect(images).toEqual([refs.prometheus, refs.alertmanager, refs.kubeStateMetrics, refs.jaeger].sort());
  });

  it('has every Service select a Deployment in its namespace by a port name its pods declare', () => {
    const failures: string[] = [];
    for (const svc of ofKind(raw, 'Service')) {
      const spec = svc.spec ?? {};
      const backends = raw.filter(
        (o) =>
          o.kind === 'Deployment' &&
          o.metadata.namespace === svc.metadata.namespace &&
          Object.entries(spec.selector ?? {}).every(
            ([k, v]) => podTemplateOf(o)?.metadata?.labels?.[k] === v,
          ),
      );
      if (backends.length === 0 || Object.keys(spec.selector ?? {}).length === 0) {
        failures.push(`${describeObject(svc)} selects nothing`);
        continue;
      }
      for (const port of spec.ports ?? []) {
        const declared = backends.every((b) =>
          containersOf(podSpecOf(b)).some((c) => c.ports?.some((p) => p.name === port.targetPort)),
        );
        if (!declared)
          failures.push(`${describeObject(svc)}: port ${port.name} targets ${String(port.targetPort)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('binds the roles it defines to service accounts that exist and that the Deployments use', () => {
    for (const b of ofKind(raw, 'ClusterRoleBinding')) {
      const role = b.roleRef.name;
      expect(find(raw, 'ClusterRole', role)).toBeDefined();
      for (const s of b.subjects ?? []) {
        expect(find(raw, 'ServiceAccount', s.name)?.metadata.namespace).toBe(s.namespace);
      }
    }
    for (const name of ['prometheus', 'kube-state-metrics']) {
      expect(podSpecOf(find(raw, 'Deployment', name))?.serviceAccountName).toBe(name);
    }
    const promRules = (
      asKind(find(raw, 'ClusterRole', 'firedrill-prometheus'), 'ClusterRole')?.rules ?? []
    ).flatMap((r) => r.resources ?? []);
    expect(promRules).toEqual(expect.arrayContaining(['pods', 'nodes', 'nodes/proxy']));
  });

  it('fills the placeholder ConfigMaps at deploy time', () => {
    expect(find(raw, 'ConfigMap', 'prometheus-rules')?.data).toEqual({});
    expect(find(raw, 'ConfigMap', 'alertmanager-config')?.data).toEqual({});
    expect(Object.keys(find(deployed, 'ConfigMap', 'prometheus-rules')?.data ?? {}).length).toBeGreaterThan(
      0,
    );
    expect(find(deployed, 'ConfigMap', 'alertmanager-config')?.data?.['alertmanager.yml']).toContain(
      'receivers:',
    );
  });
});

describe("Prometheus' configuration", () => {
  it('scrapes and evaluates every 5 s and sends alerts to the Alertmanager Service', () => {
    expect(prom.global).toEqual({ scrape_interval: '5s', scrape_timeout: '5s', evaluation_interval: '5s' });
    const am = find(raw, 'Service', 'alertmanager');
    const port = asService(am)?.spec?.ports?.[0]?.port;
    expect(prom.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual([
      `alertmanager.observability.svc:${port}`,
    ]);
    expect(prom.scrape_configs.map((j) => j.job_name)).toEqual(['shop', 'kube-state-metrics', 'kubelet']);
  });

  it('reads its config file and the rules from the mounted ConfigMaps', () => {
    const c = container('prometheus');
    const mounts = Object.fromEntries((c.volumeMounts ?? []).map((m) => [m.name, m.mountPath]));
    const volumes = podSpecOf(find(raw, 'Deployment', 'prometheus'))?.volumes ?? [];
    const mountOf = (cm: string): string | undefined =>
      mounts[volumes.find((v) => v.configMap?.name === cm)?.name ?? ''];
    expect(c.args).toContain(`--config.file=${mountOf('prometheus-config')}/prometheus.yml`);
    expect(prom.rule_files).toEqual([`${mountOf('prometheus-rules')}/*.yaml`]);
    for (const key of Object.keys(find(deployed, 'ConfigMap', 'prometheus-rules')?.data ?? {})) {
      expect(key).toMatch(/\.yaml$/);
    }
  });

  it('labels shop pods with job, namespace, pod and app, on the annotated port and path, in namespace shop only', () => {
    const job = prom.scrape_configs.find((j) => j.job_name === 'shop')!;
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['shop'] } }]);
    const pod = (ns: string, scrape: string): Record<string, string> => ({
      job: 'shop',
      __address__: '10.244.1.7:8080',
      __metrics_path__: '/metrics',
      __meta_kubernetes_namespace: ns,
      __meta_kubernetes_pod_name: 'cart-6c9d4-x2x7q',
      __meta_kubernetes_pod_phase: 'Running',
      __meta_kubernetes_pod_label_app_kubernetes_io_name: 'cart',
      __meta_kubernetes_pod_annotation_prometheus_io_scrape: scrape,
      __meta_kubernetes_pod_annotation_prometheus_io_port: '9464',
      __meta_kubernetes_pod_annotation_prometheus_io_path: '/custom-metrics',
    });
    expect(relabel(pod('shop', 'true'), job.relabel_configs ?? [])).toEqual({
      job: 'shop',
      __address__: '10.244.1.7:9464',
      __metrics_path__: '/custom-metrics',
      namespace: 'shop',
      pod: 'cart-6c9d4-x2x7q',
      app: 'cart',
    });
    expect(relabel(pod('shop', 'false'), job.relabel_configs ?? [])).toBeUndefined();
    expect(relabel(pod('firedrill-system', 'true'), job.relabel_configs ?? [])).toBeUndefined();
  });

  it('scrapes the shop pods the manifests annotate, on the port they serve', async () => {
    const job = prom.scrape_configs.find((j) => j.job_name === 'shop')!;
    const shop = (await loadManifests(SHOP_MANIFESTS_DIR)).filter((o) => o.kind === 'Deployment');
    const scraped = shop.filter((d) => {
      const t = podTemplateOf(d);
      const meta: Record<string, string> = {
        __address__: '10.0.0.1',
        __meta_kubernetes_namespace: d.metadata.namespace ?? '',
        __meta_kubernetes_pod_name: `${d.metadata.name}-0`,
        __meta_kubernetes_pod_phase: 'Running',
      };
      for (const [k, v] of Object.entries(t?.metadata?.annotations ?? {})) {
        meta[`__meta_kubernetes_pod_annotation_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`] = v;
      }
      return relabel(meta, job.relabel_configs ?? []) !== undefined;
    });
    expect(scraped.map((d) => d.metadata.name).sort()).toEqual(
      [
        'accounting',
        'cart',
        'catalog',
        'checkout',
        'currency',
        'frontend',
        'fulfillment',
        'inventory',
        'payment',
        'shipping',
      ].sort(),
    );
  });

  it('keeps kube-state-metrics labels and reaches its Service', () => {
    const job = prom.scrape_configs.find((j) => j.job_name === 'kube-state-metrics')!;
    expect(job.honor_labels).toBe(true);
    const port = asService(find(raw, 'Service', 'kube-state-metrics'))?.spec?.ports?.find(
      (p) => p.name === 'http-metrics',
    )?.port;
    expect(job.static_configs).toEqual([{ targets: [`kube-state-metrics.observability.svc:${port}`] }]);
    const args = container('kube-state-metrics').args?.find((a) => a.startsWith('--resources='));
    expect(args?.split('=')[1]?.split(',')).toEqual(
      expect.arrayContaining(['pods', 'deployments', 'replicasets', 'nodes', 'jobs', 'cronjobs']),
    );
  });

  it("reaches every kubelet's cAdvisor through the API server and keeps the shop's container series", () => {
    const job = prom.scrape_configs.find((j) => j.job_name === 'kubelet')!;
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'node' }]);
    expect(
      relabel(
        { __address__: '172.18.0.3:10250', __meta_kubernetes_node_name: 'firedrill-worker' },
        job.relabel_configs ?? [],
      ),
    ).toEqual({
      __address__: 'kubernetes.default.svc:443',
      __metrics_path__: '/api/v1/nodes/firedrill-worker/proxy/metrics/cadvisor',
      node: 'firedrill-worker',
    });
    const series = (name: string, ns: string): Record<string, string> => ({
      __name__: name,
      namespace: ns,
      pod: 'cart-1',
      container: 'cart',
      id: '/kubepods/x',
      name: 'abc',
    });
    expect(
      relabel(series('container_memory_working_set_bytes', 'shop'), job.metric_relabel_configs ?? []),
    ).toEqual({
      __name__: 'container_memory_working_set_bytes',
      namespace: 'shop',
      pod: 'cart-1',
      container: 'cart',
    });
    expect(
      relabel(series('container_cpu_usage_seconds_total', 'kube-system'), job.metric_relabel_configs ?? []),
    ).toBeUndefined();
    expect(
      relabel(series('container_fs_reads_total', 'shop'), job.metric_relabel_configs ?? []),
    ).toBeUndefined();
  });

  it('passes promtool check config, with the generated rule files', async () => {
    // Debian's promtool is built without Kubernetes service discovery, so discovery blocks become static
    // targets here (their shape is checked above), and the service-account files become temp files.
    const promtool = requireTool('promtool');
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-promcheck-'));
    try {
      const config = structuredClone(prom);
      await mkdir(join(dir, 'sa'));
      await mkdir(join(dir, 'rules'));
      await writeFile(join(dir, 'sa', 'token'), 'token\n');
      await writeFile(join(dir, 'sa', 'ca.crt'), 'ca\n');
      for (const [name, text] of Object.entries(
        find(deployed, 'ConfigMap', 'prometheus-rules')?.data ?? {},
      )) {
        await writeFile(join(dir, 'rules', name), text);
      }
      config.rule_files = [join(dir, 'rules', '*.yaml')];
      for (const job of config.scrape_configs) {
        if (job.kubernetes_sd_configs) {
          delete job.kubernetes_sd_configs;
          job.static_configs = [{ targets: ['discovered.example:80'] }];
        }
        if (job.tls_config?.ca_file) job.tls_config.ca_file = join(dir, 'sa', 'ca.crt');
        if (job.authorization?.credentials_file)
          job.authorization.credentials_file = join(dir, 'sa', 'token');
      }
      const file = join(dir, 'prometheus.yml');
      await writeFile(file, stringify(config));
      const out = execFileSync(promtool, ['check', 'config', file], { encoding: 'utf8', stdio: 'pipe' });
      expect(out).toContain('SUCCESS');
      expect(out).toMatch(/SUCCESS: \d+ rules found/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("Alertmanager's and Jaeger's configuration", () => {
  it('passes amtool check-config with the file the local substrate runs too', async () => {
    const amtool = requireTool('amtool');
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-amcheck-'));
    try {
      const file = join(dir, 'alertmanager.yml');
      await writeFile(
        file,
        find(deployed, 'ConfigMap', 'alertmanager-config')?.data?.['alertmanager.yml'] ?? '',
      );
      expect(execFileSync(amtool, ['check-config', file], { encoding: 'utf8', stdio: 'pipe' })).toContain(
        'SUCCESS',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(container('alertmanager').args).toContain(
      '--config.file=/etc/alertmanager/config/alertmanager.yml',
    );
  });

  it("receives OTLP where the shop sends it and serves the query API on the Service's port", async () => {
    const cfg = parse(find(raw, 'ConfigMap', 'jaeger-config')?.data?.['config.yaml'] ?? '') as {
      receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } };
      extensions: { jaeger_query: { http: { endpoint: string }; storage: { traces: string } } };
      service: { extensions: string[]; pipelines: { traces: { receivers: string[]; exporters: string[] } } };
    };
    expect(cfg.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(cfg.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(cfg.extensions.jaeger_query.http.endpoint).toBe('0.0.0.0:16686');
    expect(cfg.service.extensions).toEqual(expect.arrayContaining(['jaeger_storage', 'jaeger_query']));
    expect(cfg.service.pipelines.traces.receivers).toEqual(['otlp']);

    const svcPorts = Object.fromEntries(
      (asService(find(raw, 'Service', 'jaeger'))?.spec?.ports ?? []).map((p) => [p.name, p.port]),
    );
    expect(svcPorts).toEqual({ 'otlp-grpc': 4317, 'otlp-http': 4318, query: 16686 });

    // Every shop container exports to http://jaeger.observability:4318/v1/traces: that Service, that port.
    const endpoints = new Set(
      (await loadManifests(SHOP_MANIFESTS_DIR))
        .filter((o) => o.kind === 'Deployment')
        .flatMap((o) => containersOf(podSpecOf(o)))
        .flatMap((c) => c.env ?? [])
        .filter((e) => e.name === 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
        .map((e) => e.value),
    );
    expect([...endpoints]).toEqual([`http://jaeger.observability:${svcPorts['otlp-http']}/v1/traces`]);
    expect(container('jaeger').args).toEqual(['--config', '/etc/jaeger/config.yaml']);
  });
});
