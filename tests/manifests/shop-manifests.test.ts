import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE_SCHEMAS, loadConfig } from '../../apps/shop/src/runtime/config.js';
import { readEnv } from '../../apps/shop/src/runtime/env.js';
import { parseMix } from '../../apps/shop/src/loadgen/plan.js';
import {
  DEPENDENCIES_OF,
  HTTP_DEPENDENCIES,
  JOB_DEPENDENCIES,
  JOB_NAMES,
  SERVICE_NAMES,
  type JobName,
  type ServiceName,
} from '../../apps/shop/src/runtime/service-names.js';
import type { Container, EnvVar, ServiceSpec } from '../../src/kube/kube-object.js';
import { describeObject, resolveEnv, type K8sObject } from '../../src/manifests/index.js';
import { imageReferences, loadVersions, unpinnedReason } from '../../src/versions/index.js';
import { REPO_ROOT } from '../../src/version.js';
import {
  loadAllManifests,
  podTemplates,
  workloads,
  type PodTemplateOf,
  type Workload,
} from './manifest-files.js';
import { unknownFields } from './strict-fields.js';
import { SCHEMAS } from './k8s-schemas.js';

/** Kinds that live outside any namespace. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

const SHOP_SERVICES = [
  'frontend',
  'catalog',
  'cart',
  'checkout',
  'payment',
  'shipping',
  'currency',
  'inventory',
  'accounting',
  'fulfillment',
] as const;
/** Jobs the manifests hold themselves (set-up applied with the shop); every other job is a CronJob's. */
const SETUP_JOBS: readonly string[] = ['db-migrate'];
const SCHEDULED_JOBS = JOB_NAMES.filter((j) => !SETUP_JOBS.includes(j));
const HARNESS_SERVICES = ['flags', 'loadgen'] as const;
const NAME = 'app.kubernetes.io/name';
const PART_OF = 'app.kubernetes.io/part-of';
const COMPONENT = 'app.kubernetes.io/component';

const versions = loadVersions();
const allowedImages = new Set(Object.values(imageReferences(versions)));
const dockerEntrypoint = readDockerEntrypoint();

let objects: K8sObject[];
/** Long-running workloads (Deployments, StatefulSets, DaemonSets). */
let loads: Workload[];
/** Every pod template, the (Cron)Jobs' included. */
let pods: PodTemplateOf[];

beforeAll(async () => {
  objects = await loadAllManifests();
  loads = workloads(objects);
  pods = podTemplates(objects);
});

function find(kind: string, namespace: string | undefined, name: string): K8sObject | undefined {
  return objects.find(
    (o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? undefined) === namespace,
  );
}

function workload(namespace: string, name: string): Workload {
  const w = loads.find((l) => l.object.metadata.namespace === namespace && l.object.metadata.name === name);
  if (!w) throw new Error(`no workload ${namespace}/${name} in manifests/`);
  return w;
}

function envOf(c: Container, name: string): EnvVar | undefined {
  return c.env?.find((e) => e.name === name);
}

function readDockerEntrypoint(): string[] {
  const text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const m = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(text);
  if (!m) throw new Error('Dockerfile has no exec-form ENTRYPOINT');
  return JSON.parse(m[1] as string) as string[];
}

describe('Kubernetes manifests', () => {
  it('are found and include the shop', () => {
    expect(objects.length).toBeGreaterThan(20);
    expect(find('Namespace', undefined, 'shop')).toBeDefined();
  });

  it('validate against the Kubernetes schema, with no unknown fields', () => {
    const failures: string[] = [];
    for (const obj of objects) {
      const schema = SCHEMAS[`${obj.apiVersion}/${obj.kind}`];
      if (!schema) {
        failures.push(`${describeObject(obj)}: no schema known for ${obj.apiVersion} ${obj.kind}`);
        continue;
      }
      try {
        new schema.model(obj as never).validate();
      } catch (err) {
        failures.push(`${describeObject(obj)}: ${(err as Error).message}`);
      }
      for (const path of unknownFields(obj, schema.clientType)) {
        failures.push(`${describeObject(obj)}: unknown field ${path}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('put every namespaced object in a namespace the manifests create', () => {
    const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
    const orphans = objects
      .filter((o) => !CLUSTER_SCOPED.has(o.kind) && !namespaces.has(o.metadata.namespace ?? ''))
      .map(describeObject);
    expect(orphans).toEqual([]);
  });

  it('pin every image to a reference from versions.json, pulled only when absent', () => {
    const failures: string[] = [];
    for (const w of pods) {
      for (const c of w.containers) {
        const why = unpinnedReason(c.image ?? '');
        if (why) failures.push(`${describeObject(w.object)} ${c.name}: ${why}`);
        else if (!allowedImages.has(c.image ?? '')) {
          failures.push(`${describeObject(w.object)} ${c.name}: ${c.image} is not pinned in versions.json`);
        }
        const policy = (c as Container & { imagePullPolicy?: string }).imagePullPolicy;
        if (policy !== 'IfNotPresent') {
          failures.push(`${describeObject(w.object)} ${c.name}: imagePullPolicy ${policy ?? '(unset)'}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('give every container requests and limits, and long-running ones readiness and liveness probes on named ports', () => {
    const failures: string[] = [];
    for (const w of pods) {
      for (const c of w.containers) {
        const where = `${describeObject(w.object)} container ${c.name}`;
        for (const kind of ['requests', 'limits'] as const) {
          for (const resource of ['cpu', 'memory']) {
            if (!c.resources?.[kind]?.[resource]) failures.push(`${where}: no ${kind}.${resource}`);
          }
        }
        const portNames = new Set((c.ports ?? []).map((p) => p.name));
        for (const p of c.ports ?? [])
          if (!p.name) failures.push(`${where}: port ${p.containerPort} has no name`);
        // A Job's pod is done when its process exits; a liveness probe could only kill it half way.
        if (w.batch) {
          for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
            if ((c as unknown as Record<string, unknown>)[probe])
              failures.push(`${where}: a run-to-completion pod has a ${probe}`);
          }
          continue;
        }
        for (const probeName of ['readinessProbe', 'livenessProbe'] as const) {
          const probe = c[probeName];
          if (!probe) {
            failures.push(`${where}: no ${probeName}`);
            continue;
          }
          const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
          if (typeof port === 'number')
            failures.push(`${where}: ${probeName} uses a port number, not a name`);
          if (typeof port === 'string' && !portNames.has(port)) {
            failures.push(
              `${where}: ${probeName} names port "${port}", which the container does not declare`,
            );
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('select their own pod template and label workloads with the app.kubernetes.io labels', () => {
    const failures: string[] = [];
    for (const w of loads) {
      const where = describeObject(w.object);
      const podLabels = w.template.metadata?.labels ?? {};
      const selector = w.spec.selector.matchLabels ?? {};
      if (Object.keys(selector).length === 0) failures.push(`${where}: empty selector`);
      for (const [k, v] of Object.entries(selector)) {
        if (podLabels[k] !== v) failures.push(`${where}: selector ${k}=${v} does not match the pod template`);
      }
      for (const labels of [w.object.metadata.labels ?? {}, podLabels]) {
        if (labels[NAME] !== w.object.metadata.name)
          failures.push(`${where}: ${NAME} must be the workload name`);
        if (!labels[PART_OF]) failures.push(`${where}: no ${PART_OF}`);
        if (!labels[COMPONENT]) failures.push(`${where}: no ${COMPONENT}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('route every Service to the pods of a workload in its namespace, by a port name those pods declare', () => {
    const failures: string[] = [];
    for (const svc of objects.filter((o) => o.kind === 'Service')) {
      const spec = svc.spec as ServiceSpec;
      const selector = spec.selector ?? {};
      const backends = loads.filter(
        (w) =>
          w.object.metadata.namespace === svc.metadata.namespace &&
          Object.keys(selector).length > 0 &&
          Object.entries(selector).every(([k, v]) => w.template.metadata?.labels?.[k] === v),
      );
      if (backends.length === 0) {
        failures.push(`${describeObject(svc)}: selects no workload's pods`);
        continue;
      }
      for (const port of spec.ports ?? []) {
        if (!port.name) failures.push(`${describeObject(svc)}: port ${port.port} has no name`);
        if (typeof port.targetPort !== 'string') {
          failures.push(`${describeObject(svc)}: port ${port.port} must target a named container port`);
          continue;
        }
        for (const b of backends) {
          const declared = b.containers.some((c) => c.ports?.some((p) => p.name === port.targetPort));
          if (!declared) {
            failures.push(
              `${describeObject(svc)}: ${describeObject(b.object)} declares no port "${port.targetPort}"`,
            );
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('refer only to ConfigMaps, Secrets and claims that exist, and every env var resolves', () => {
    const failures: string[] = [];
    for (const w of pods) {
      const ns = w.object.metadata.namespace as string;
      for (const v of w.podSpec.volumes ?? []) {
        const ref = v.configMap
          ? ['ConfigMap', v.configMap.name]
          : v.secret
            ? ['Secret', v.secret.secretName]
            : v.persistentVolumeClaim
              ? ['PersistentVolumeClaim', v.persistentVolumeClaim.claimName]
              : undefined;
        if (ref && !find(ref[0] as string, ns, ref[1] as string)) {
          failures.push(`${describeObject(w.object)}: volume ${v.name} needs ${ref[0]} ${ns}/${ref[1]}`);
        }
        for (const item of v.configMap?.items ?? []) {
          const cm = find('ConfigMap', ns, v.configMap?.name ?? '');
          if (cm && cm.data?.[item.key] === undefined) {
            failures.push(`${describeObject(w.object)}: volume ${v.name} needs key ${item.key}`);
          }
        }
      }
      const mounted = new Set((w.podSpec.volumes ?? []).map((v) => v.name));
      for (const c of w.containers) {
        for (const m of c.volumeMounts ?? []) {
          if (!mounted.has(m.name))
            failures.push(`${describeObject(w.object)} ${c.name}: mounts unknown volume ${m.name}`);
        }
        try {
          resolveEnv(c.env, {
            podName: `${w.object.metadata.name}-0`,
            namespace: ns,
            objects,
            owner: w.object,
            fields: { 'status.podIP': '10.244.0.7' },
          });
        } catch (err) {
          failures.push(`${c.name}: ${(err as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('run every container as non-root, without privilege escalation, on a read-only root filesystem', () => {
    const failures: string[] = [];
    for (const w of pods) {
      const pod = (w.template.spec as { securityContext?: { runAsNonRoot?: boolean; runAsUser?: number } })
        .securityContext;
      for (const c of w.containers) {
        const sc = (c as Container & { securityContext?: Record<string, unknown> }).securityContext ?? {};
        const where = `${describeObject(w.object)} container ${c.name}`;
        const nonRoot = (sc.runAsNonRoot ?? pod?.runAsNonRoot) === true;
        const uid = (sc.runAsUser as number | undefined) ?? pod?.runAsUser;
        if (!nonRoot || uid === undefined || uid === 0) failures.push(`${where}: must run as a non-root uid`);
        if (sc.allowPrivilegeEscalation !== false)
          failures.push(`${where}: allowPrivilegeEscalation must be false`);
        if (sc.readOnlyRootFilesystem !== true)
          failures.push(`${where}: readOnlyRootFilesystem must be true`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('the shop deployment', () => {
  it('deploys exactly the services the shop app knows, plus its harness', () => {
    expect([...SHOP_SERVICES, ...HARNESS_SERVICES].sort()).toEqual([...SERVICE_NAMES].sort());
    const shopWorkloads = loads
      .filter((w) => w.object.metadata.namespace === 'shop')
      .map((w) => w.object.metadata.name);
    expect(shopWorkloads.sort()).toEqual([...SHOP_SERVICES, 'redis', 'postgres'].sort());
    const harness = loads
      .filter((w) => w.object.metadata.namespace === 'firedrill-system')
      .map((w) => w.object.metadata.name);
    expect(harness.sort()).toEqual([...HARNESS_SERVICES].sort());
  });

  it.each([...SHOP_SERVICES, ...HARNESS_SERVICES])(
    'runs %s from the shop image with the shared env contract',
    (svc) => {
      const ns = (SHOP_SERVICES as readonly string[]).includes(svc) ? 'shop' : 'firedrill-system';
      const w = workload(ns, svc);
      // frontend and inventory take the most traffic per request (every page, every stock check)
      expect(w.spec.replicas).toBe(svc === 'frontend' || svc === 'inventory' ? 2 : 1);
      expect(w.containers).toHaveLength(1);
      const c = w.containers[0] as Container;
      expect(c.name).toBe(svc);
      expect(c.image).toBe(imageReferences(versions).shop);
      expect(c.command).toEqual(dockerEntrypoint);
      expect(c.args).toEqual([svc]);
      expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });

      const env = resolveEnv(c.env, { podName: `${svc}-0`, namespace: ns, objects, owner: w.object });
      expect(env).toMatchObject({ SHOP_SERVICE: svc, PORT: '8080', POD_NAME: `${svc}-0`, POD_NAMESPACE: ns });
      expect(envOf(c, 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
      expect(envOf(c, 'POD_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    },
  );

  it.each(SHOP_SERVICES)(
    'exposes %s on port 8080, scraped by Prometheus, configured by its ConfigMap',
    (svc) => {
      const w = workload('shop', svc);
      const c = w.containers[0] as Container;
      expect(w.template.metadata?.labels).toMatchObject({ [NAME]: svc, [PART_OF]: 'shop' });
      expect(w.template.metadata?.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '8080',
        'prometheus.io/path': '/metrics',
      });

      const service = find('Service', 'shop', svc);
      expect((service?.spec as ServiceSpec | undefined)?.ports).toEqual([
        { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' },
      ]);

      const env = resolveEnv(c.env, { podName: `${svc}-0`, namespace: 'shop', objects, owner: w.object });
      expect(env).toMatchObject({
        SHOP_CONFIG_FILE: '/etc/shop/config.json',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger.observability:4318/v1/traces',
        FLAGS_URL: 'http://flags.firedrill-system:8080',
      });
      const mount = c.volumeMounts?.find((m) => m.mountPath === '/etc/shop');
      const volume = w.podSpec.volumes?.find((v) => v.name === mount?.name);
      expect(volume?.configMap?.name).toBe(`${svc}-config`);

      const cm = find('ConfigMap', 'shop', `${svc}-config`);
      const text = cm?.data?.['config.json'];
      expect(typeof text).toBe('string');
      const parsed = CONFIG_FILE_SCHEMAS[svc as ServiceName].safeParse(JSON.parse(text as string));
      expect(
        parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      ).toEqual([]);
      // Unknown keys only warn in the app; here they are a mistake in the ConfigMap.
      const known = Object.keys(CONFIG_FILE_SCHEMAS[svc as ServiceName].shape);
      expect(Object.keys(JSON.parse(text as string)).filter((k) => !known.includes(k))).toEqual([]);
    },
  );

  it.each(SHOP_SERVICES)('points %s at exactly the dependencies of the shop call graph', (svc) => {
    const w = workload('shop', svc);
    const c = w.containers[0] as Container;
    const env = resolveEnv(c.env, { podName: `${svc}-0`, namespace: 'shop', objects, owner: w.object });
    const deps = DEPENDENCIES_OF[svc];
    const expectedUrls = Object.fromEntries(
      HTTP_DEPENDENCIES.filter((d) => deps.includes(d)).map((d) => [
        `${d.toUpperCase()}_URL`,
        `http://${d}:8080`,
      ]),
    );
    const urls = Object.fromEntries(
      Object.entries(env).filter(([k]) => /^[A-Z]+_URL$/.test(k) && k !== 'FLAGS_URL'),
    );
    expect(urls).toEqual(expectedUrls);
    if (deps.includes('redis')) {
      expect(env).toMatchObject({ REDIS_HOST: 'redis', REDIS_PORT: '6379' });
      expect(envOf(c, 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
        name: 'redis-auth',
        key: 'password',
      });
    } else {
      expect(Object.keys(env).filter((k) => k.startsWith('REDIS_'))).toEqual([]);
    }
  });

  it('backs the cart with Redis behind a password from the redis-auth Secret', () => {
    const secret = find('Secret', 'shop', 'redis-auth');
    expect(secret?.stringData?.password ?? secret?.data?.password).toBeTruthy();
    const redis = workload('shop', 'redis');
    const c = redis.containers[0] as Container;
    expect(c.image).toBe(imageReferences(versions).redis);
    expect(c.resources?.limits?.memory).toBe('128Mi');
    const service = find('Service', 'shop', 'redis');
    expect((service?.spec as ServiceSpec).ports?.[0]).toMatchObject({ port: 6379, targetPort: 'redis' });
    // The password reaches redis-server only through the kubelet's $(VAR) expansion of the Secret-backed env.
    expect(c.args?.[c.args.indexOf('--requirepass') + 1]).toBe('$(REDIS_PASSWORD)');
    expect(envOf(c, 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
      name: 'redis-auth',
      key: 'password',
    });
  });

  it('runs PostgreSQL for the shop: role and database shop, the password from the postgres-auth Secret', () => {
    const secret = find('Secret', 'shop', 'postgres-auth');
    expect(secret?.stringData?.password).toBe('firedrill-pg-7a41');
    const labels = { [NAME]: 'postgres', [PART_OF]: 'shop', [COMPONENT]: 'database' };
    const service = find('Service', 'shop', 'postgres');
    expect(service?.metadata.labels).toEqual(labels);
    expect((service?.spec as ServiceSpec).ports).toEqual([
      { name: 'postgres', port: 5432, targetPort: 'postgres', protocol: 'TCP' },
    ]);

    const pg = workload('shop', 'postgres');
    expect(pg.object.metadata.labels).toEqual(labels);
    expect(pg.template.metadata?.labels).toEqual(labels);
    expect(pg.spec.replicas).toBe(1);
    expect((pg.spec as { strategy?: { type?: string } }).strategy?.type).toBe('Recreate');
    expect(pg.containers).toHaveLength(1);
    const c = pg.containers[0] as Container;
    expect(c.name).toBe('postgres');
    expect(c.image).toBe(imageReferences(versions).postgres);
    // The image's entrypoint (images/postgres/entrypoint.sh) makes the cluster; the arguments go to the server.
    expect(c.command).toBeUndefined();
    expect(c.ports).toEqual([{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }]);
    expect(c.resources).toEqual({
      requests: { cpu: '20m', memory: '64Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });

    const env = resolveEnv(c.env, {
      podName: 'postgres-0',
      namespace: 'shop',
      objects,
      owner: pg.object,
      fields: { 'status.podIP': '10.244.0.7' },
    });
    expect(env).toMatchObject({
      POSTGRES_USER: 'shop',
      POSTGRES_DB: 'shop',
      POSTGRES_PASSWORD: 'firedrill-pg-7a41',
      POD_IP: '10.244.0.7',
    });
    expect(envOf(c, 'POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
      name: 'postgres-auth',
      key: 'password',
    });
    // PGDATA is a directory inside the data volume (initdb must own it), so the cluster lives on the volume.
    const data = c.volumeMounts?.find((m) => m.name === 'data');
    expect(env.PGDATA?.startsWith(`${data?.mountPath ?? '?'}/`)).toBe(true);
    expect(pg.podSpec.volumes?.find((v) => v.name === 'data')?.emptyDir).toBeDefined();

    // Every server setting is a visible `-c name=value` argument.
    const args = c.args ?? [];
    expect(args.filter((_, i) => i % 2 === 0).every((a) => a === '-c')).toBe(true);
    const settings = Object.fromEntries(
      args
        .filter((_, i) => i % 2 === 1)
        .map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
    );
    expect(settings).toMatchObject({
      listen_addresses: '*',
      max_connections: '50',
      shared_buffers: '32MB',
      log_min_duration_statement: '250',
      log_lock_waits: 'on',
      deadlock_timeout: '1s',
      log_destination: 'stderr',
      logging_collector: 'off',
    });
    expect(settings.log_line_prefix).toMatch(/^%m \[%p\] .*%u@%d.* $/);

    expect(c.readinessProbe?.exec?.command).toEqual([
      'sh',
      '-c',
      'pg_isready --quiet --host="$POD_IP" --port=5432 --username=shop --dbname=shop',
    ]);
    expect(envOf(c, 'POD_IP')?.valueFrom?.fieldRef?.fieldPath).toBe('status.podIP');
    expect(c.livenessProbe?.tcpSocket).toEqual({ port: 'postgres' });
  });

  it('drives the frontend with a seeded load generator the shop app accepts', () => {
    const w = workload('firedrill-system', 'loadgen');
    const c = w.containers[0] as Container;
    const env = resolveEnv(c.env, {
      podName: 'loadgen-0',
      namespace: 'firedrill-system',
      objects,
      owner: w.object,
    });
    expect(env.TARGET_URL).toBe('http://frontend.shop:8080');
    expect(Number(env.LOAD_RPS)).toBeGreaterThan(0);
    expect(Number.isInteger(Number(env.LOAD_SEED))).toBe(true);
    expect(() => parseMix(env.LOAD_MIX as string)).not.toThrow();
    const { config } = loadConfig(readEnv(['node', 'main.js', 'loadgen'], env));
    expect(config.loadgen.variation).toBe(Number(env.LOAD_VARIATION));
  });

  it('keeps the harness out of Prometheus: flags and loadgen pods are not annotated for scraping', () => {
    for (const name of HARNESS_SERVICES) {
      expect(
        workload('firedrill-system', name).template.metadata?.annotations?.['prometheus.io/scrape'],
      ).toBeUndefined();
    }
    const flags = find('Service', 'firedrill-system', 'flags');
    expect((flags?.spec as ServiceSpec).ports?.[0]).toMatchObject({ name: 'http', port: 8080 });
  });
});

/** How many times a day a standard 5-field schedule fires, for the minute/hour forms the shop uses. */
function runsPerDay(schedule: string): number {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`"${schedule}" is not a 5-field schedule`);
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  if (!/^\d+$/.test(minute) || Number(minute) > 59)
    throw new Error(`minute "${minute}" is not one fixed minute`);
  if (dom !== '*' || month !== '*' || dow !== '*') throw new Error(`"${schedule}" is not a daily schedule`);
  if (/^\d+$/.test(hour) && Number(hour) <= 23) return 1;
  const every = /^\*\/(\d+)$/.exec(hour);
  if (every) return Math.ceil(24 / Number(every[1]));
  throw new Error(`hour "${hour}" is neither an hour nor */n`);
}

describe('the shop batch jobs', () => {
  const cronJobs = () => objects.filter((o) => o.kind === 'CronJob');
  const batch = (name: string) => {
    const p = pods.find((x) => x.batch && x.object.metadata.name === name);
    if (!p) throw new Error(`no CronJob or Job ${name}`);
    return p;
  };
  interface CronJobSpec {
    schedule: string;
    concurrencyPolicy?: string;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate: {
      metadata?: { labels?: Record<string, string> };
      spec: { backoffLimit?: number; ttlSecondsAfterFinished?: number; activeDeadlineSeconds?: number };
    };
  }

  it('are a CronJob in namespace shop for each scheduled job, and a Job for each set-up job', () => {
    expect(
      cronJobs()
        .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
        .sort(),
    ).toEqual(SCHEDULED_JOBS.map((j) => `shop/${j}`).sort());
    expect(
      objects
        .filter((o) => o.kind === 'Job')
        .map((o) => `${o.metadata.namespace}/${o.metadata.name}`)
        .sort(),
    ).toEqual(SETUP_JOBS.map((j) => `shop/${j}`).sort());
  });

  it('retries db-migrate a few times (the database may still be starting) and keeps the finished Job', () => {
    const job = find('Job', 'shop', 'db-migrate')!;
    const spec = job.spec as unknown as {
      backoffLimit?: number;
      activeDeadlineSeconds?: number;
      ttlSecondsAfterFinished?: number;
    };
    expect(spec.backoffLimit).toBeGreaterThanOrEqual(2);
    expect(spec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(job.metadata.labels).toEqual({ [NAME]: 'db-migrate', [PART_OF]: 'shop', [COMPONENT]: 'batch' });
  });

  it.each(SCHEDULED_JOBS)(
    'schedules %s in quiet hours, one run at a time, keeping a short history',
    (name) => {
      const cj = find('CronJob', 'shop', name)!;
      const spec = cj.spec as unknown as CronJobSpec;
      expect(runsPerDay(spec.schedule)).toBeLessThanOrEqual(4);
      expect(spec).toMatchObject({
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
      });
      expect(spec.jobTemplate.spec.backoffLimit).toBe(1);
      // Finished Jobs stay until the history limits remove them, so their pods and logs can be looked at.
      expect(spec.jobTemplate.spec.ttlSecondsAfterFinished).toBeUndefined();
      expect(spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(0);
      const labels = { [NAME]: name, [PART_OF]: 'shop', [COMPONENT]: 'batch' };
      const p = batch(name);
      expect(cj.metadata.labels).toEqual(labels);
      expect(spec.jobTemplate.metadata?.labels).toEqual(labels);
      expect(p.template.metadata?.labels).toEqual(labels);
      // Never scraped: a Job's pod is gone before Prometheus would notice it.
      expect(p.template.metadata?.annotations).toBeUndefined();
      expect((p.template.spec as { restartPolicy?: string }).restartPolicy).toBe('Never');
    },
  );

  it.each(JOB_NAMES)('runs %s from the shop image like the services, and the app accepts its env', (name) => {
    const p = batch(name);
    expect(p.containers).toHaveLength(1);
    const c = p.containers[0] as Container;
    expect(c.name).toBe(name);
    expect(c.image).toBe(imageReferences(versions).shop);
    expect(c.command).toEqual(dockerEntrypoint);
    expect(c.args).toEqual([name]);
    expect(c.ports ?? []).toEqual([]);

    // The same hardening as the services' pods.
    const service = workload('shop', 'catalog');
    const sc = (x: unknown) => (x as { securityContext?: unknown }).securityContext;
    expect(sc(p.template.spec)).toEqual(sc(service.template.spec));
    expect(sc(c)).toEqual(sc(service.containers[0]));
    for (const key of ['automountServiceAccountToken', 'enableServiceLinks'] as const) {
      expect((p.template.spec as unknown as Record<string, unknown>)[key]).toBe(false);
    }

    const env = resolveEnv(c.env, {
      podName: `${name}-28461337-x7k2p`,
      namespace: 'shop',
      objects,
      owner: p.object,
    });
    expect(env).toMatchObject({
      SHOP_SERVICE: name,
      POD_NAMESPACE: 'shop',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger.observability:4318/v1/traces',
    });
    // Jobs follow no runtime settings and listen on nothing.
    expect(env.FLAGS_URL).toBeUndefined();
    expect(env.PORT).toBeUndefined();
    const deps = JOB_DEPENDENCIES[name as JobName];
    const urls = Object.fromEntries(Object.entries(env).filter(([k]) => /^[A-Z]+_URL$/.test(k)));
    expect(urls).toEqual(
      Object.fromEntries(
        HTTP_DEPENDENCIES.filter((d) => deps.includes(d)).map((d) => [
          `${d.toUpperCase()}_URL`,
          `http://${d}:8080`,
        ]),
      ),
    );
    if (deps.includes('redis')) {
      expect(env).toMatchObject({ REDIS_HOST: 'redis', REDIS_PORT: '6379' });
      expect(envOf(c, 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
        name: 'redis-auth',
        key: 'password',
      });
    } else {
      expect(Object.keys(env).filter((k) => k.startsWith('REDIS_'))).toEqual([]);
    }
    // What the entry point does with that environment: no crash at start, and the job it names.
    const { config } = loadConfig(readEnv(['node', 'main.js', ...(c.args ?? [])], env));
    expect(config.service).toBe(name);
  });
});
