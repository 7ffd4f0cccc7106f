import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AlertTimelineEntry,
  AlertsFile,
  EventRecord,
  Labels,
  LogRecord,
  MetricSeries,
  ObjectRecord,
  SpanRecord,
  Topology,
} from '../../../src/bundle/records.js';
import type { PodTemplate } from '../kube.js';
import { LogDigester, type Snapshot, type SpanLite } from '../read-snapshot.js';

/**
 * A small synthetic shop snapshot for unit tests: the shop's services, Services, ConfigMaps, a Secret,
 * nodes, ReplicaSets and pods named the cluster way, steady traffic with traces, access logs, RED
 * metrics and kube-state-metrics series; and knobs to break it the way the fault catalog does (calls
 * refused, errors, latency, rollouts, events, alerts, pod states) or to add background noise. Nothing in
 * it is copied from a real bundle.
 */

const NS = 'shop';
const STEP_S = 5;

/** caller → the calls one request makes, in order. */
const ROUTES: Record<string, Array<{ peer: string; route: string; method: string }>> = {
  'frontend GET /api/products': [{ peer: 'catalog', route: '/products', method: 'GET' }],
  'frontend POST /api/cart/:userId/items': [{ peer: 'cart', route: '/carts/:userId/items', method: 'POST' }],
  'frontend POST /api/checkout/:userId': [{ peer: 'checkout', route: '/orders', method: 'POST' }],
  'frontend GET /api/currency/convert': [{ peer: 'currency', route: '/convert', method: 'GET' }],
  'catalog GET /products': [],
  'catalog GET /products/:id': [],
  'cart POST /carts/:userId/items': [
    { peer: 'catalog', route: '/products/:id', method: 'GET' },
    { peer: 'redis', route: 'HINCRBY', method: '' },
  ],
  'cart GET /carts/:userId': [{ peer: 'redis', route: 'HGETALL', method: '' }],
  'cart DELETE /carts/:userId': [{ peer: 'redis', route: 'DEL', method: '' }],
  'checkout POST /orders': [
    { peer: 'cart', route: '/carts/:userId', method: 'GET' },
    { peer: 'shipping', route: '/quote', method: 'GET' },
    { peer: 'currency', route: '/convert', method: 'GET' },
    { peer: 'payment', route: '/charge', method: 'POST' },
    { peer: 'shipping', route: '/shipments', method: 'POST' },
    { peer: 'cart', route: '/carts/:userId', method: 'DELETE' },
  ],
  'payment POST /charge': [],
  'shipping GET /quote': [],
  'shipping POST /shipments': [],
  'currency GET /convert': [],
};

export const SHOP_SERVICES = ['frontend', 'catalog', 'cart', 'checkout', 'payment', 'shipping', 'currency'];

interface CallBreak {
  caller?: string;
  peer: string;
  from: number;
  to: number;
  code: string;
  address?: string;
  /** The caller gives up after this long while the callee still answers (a timeout set too short). */
  giveUpAfterMs?: number;
  /** The calls reach this other service instead, which has no such endpoint and answers 404. */
  answeredBy?: string;
}
interface ErrorRate {
  service: string;
  from: number;
  to: number;
  share: number;
  status: number;
}
interface Slow {
  service: string;
  from: number;
  to: number;
  ms: number;
  /** Only calls from this service (a link delay); undefined: every request. */
  caller?: string;
  /** The share of calls delayed (a lossy link's retransmissions); undefined: every call. */
  share?: number;
}
interface PodOverride {
  pod: string;
  from: number;
  to: number;
  ready?: boolean;
  phase?: string;
  waiting?: string;
  lastTerminated?: string;
  restartsPerMinute?: number;
  cpuCores?: number;
  memoryBytesPerMinute?: number;
}

export interface PodInfo {
  name: string;
  deployment: string;
  rs: string;
  node: string;
  /** Seconds into the window it started (negative: before the window). */
  start: number;
  /** Seconds into the window it was deleted, if it was. */
  end?: number;
}

/** The delay in force for `service` at second `s` (from `caller`, where a delay names one). */
function addedMs(delays: readonly Slow[], service: string, s: number, caller?: string, draw = 0): number {
  return delays
    .filter((x) => x.service === service && (!x.caller || x.caller === caller) && s >= x.from && s < x.to)
    .filter((x) => x.share === undefined || draw < x.share)
    .reduce((a, x) => a + x.ms, 0);
}

export class SyntheticShop {
  readonly start: number;
  readonly duration: number;
  readonly objects = new Map<string, ObjectRecord>();
  readonly pods: PodInfo[] = [];
  private readonly events: EventRecord[] = [];
  private readonly extraLogs: LogRecord[] = [];
  private readonly timeline: AlertTimelineEntry[] = [];
  private readonly active: AlertsFile['active'] = [];
  private readonly extraMetrics: MetricSeries[] = [];
  private readonly breaks: CallBreak[] = [];
  private readonly errorRates: ErrorRate[] = [];
  private readonly slows: Slow[] = [];
  private readonly links: Slow[] = [];
  private readonly overrides: PodOverride[] = [];
  private readonly down: Array<{ service: string; from: number; to: number }> = [];
  objectChanges: Array<{
    ts: string;
    action: 'ADDED' | 'MODIFIED' | 'DELETED';
    entity: string;
    object: ObjectRecord;
  }> = [];
  private counter = 0;
  rps = 2;

  constructor(opts: { start?: string; durationS?: number } = {}) {
    this.start = Date.parse(opts.start ?? '2030-03-01T10:00:00.000Z');
    this.duration = opts.durationS ?? 240;
    this.node('worker-a', {
      'kubernetes.io/hostname': 'worker-a',
      'node.kubernetes.io/instance-type': 'm5.large',
    });
    this.node('worker-b', {
      'kubernetes.io/hostname': 'worker-b',
      'node.kubernetes.io/instance-type': 'm5.large',
    });
    this.add({
      entity: 'Namespace/shop',
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS, creationTimestamp: this.iso(-3600) },
    });
    this.add({
      entity: 'shop/Secret/redis-auth',
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'redis-auth', namespace: NS, creationTimestamp: this.iso(-3600) },
    });
    let ip = 10;
    for (const s of [...SHOP_SERVICES, 'redis']) this.deploy(s, s === 'frontend' ? 2 : 1, `10.96.0.${ip++}`);
  }

  /** Epoch ms of a time `s` seconds into the window. */
  t(s: number): number {
    return this.start + s * 1000;
  }

  iso(s: number): string {
    return new Date(this.t(s)).toISOString();
  }

  add(o: ObjectRecord): ObjectRecord {
    this.objects.set(o.entity, o);
    return o;
  }

  get(entity: string): ObjectRecord {
    const o = this.objects.get(entity);
    if (!o) throw new Error(`no object ${entity}`);
    return o;
  }

  template(deployment: string): PodTemplate {
    return (this.get(`shop/Deployment/${deployment}`).spec as { template: PodTemplate }).template;
  }

  node(name: string, labels: Labels): void {
    this.add({
      entity: `Node/${name}`,
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels, creationTimestamp: this.iso(-86400) },
      spec: {},
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }

  private deploy(name: string, replicas: number, clusterIP: string): void {
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'shop' };
    const redis = name === 'redis';
    const template: PodTemplate = {
      metadata: { labels: { ...labels }, annotations: { 'prometheus.io/scrape': 'true' } },
      spec: {
        containers: [
          {
            name,
            image: redis ? 'redis:7.2.4' : 'acme/shop:0.1.0',
            args: redis ? ['--requirepass', '$(REDIS_PASSWORD)'] : [name],
            ports: [{ name: redis ? 'redis' : 'http', containerPort: redis ? 6379 : 8080 }],
            env: redis
              ? [
                  {
                    name: 'REDIS_PASSWORD',
                    valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } },
                  },
                ]
              : [
                  { name: 'SHOP_SERVICE', value: name },
                  { name: 'LOG_LEVEL', value: 'info' },
                  ...(name === 'cart'
                    ? [
                        {
                          name: 'REDIS_PASSWORD',
                          valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } },
                        },
                      ]
                    : []),
                ],
            resources: { limits: { cpu: '500m', memory: '192Mi' }, requests: { cpu: '20m', memory: '64Mi' } },
            ...(redis
              ? {}
              : {
                  readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5 },
                  livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
                  volumeMounts: [{ name: 'config', mountPath: '/etc/shop', readOnly: true }],
                }),
          },
        ],
        ...(redis ? {} : { volumes: [{ name: 'config', configMap: { name: `${name}-config` } }] }),
      },
    };
    this.add({
      entity: `shop/Deployment/${name}`,
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: NS, labels, creationTimestamp: this.iso(-3600) },
      spec: { replicas, selector: { matchLabels: labels }, template },
      status: { replicas, availableReplicas: replicas, readyReplicas: replicas },
    });
    this.add({
      entity: `shop/Service/${name}`,
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: NS, labels, creationTimestamp: this.iso(-3600) },
      spec: {
        type: 'ClusterIP',
        clusterIP,
        selector: labels,
        ports: [
          { name: redis ? 'redis' : 'http', port: redis ? 6379 : 8080, targetPort: redis ? 'redis' : 'http' },
        ],
      },
    });
    if (!redis)
      this.add({
        entity: `shop/ConfigMap/${name}-config`,
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `${name}-config`, namespace: NS, labels, creationTimestamp: this.iso(-3600) },
        data: { 'config.json': '{\n  "logLevel": "info"\n}\n' },
      });
    const rs = this.replicaSet(name, template, replicas, -3600, 1);
    for (let i = 0; i < replicas; i++) this.startPod(name, rs, -3000 + i);
  }

  private replicaSet(
    deployment: string,
    template: PodTemplate,
    replicas: number,
    at: number,
    revision: number,
  ): string {
    const hash = hex(`${deployment}|${JSON.stringify(template)}|${revision}`, 10).replace(/^\d/, 'a');
    const name = `${deployment}-${hash}`;
    this.add({
      entity: `shop/ReplicaSet/${name}`,
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: NS,
        labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash },
        annotations: { 'deployment.kubernetes.io/revision': String(revision) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment, controller: true }],
        creationTimestamp: this.iso(at),
      },
      spec: { replicas, template: structuredClone(template) },
    });
    return name;
  }

  /** Starts a pod of a ReplicaSet `at` seconds into the window (negative: already running). */
  startPod(deployment: string, rs: string, at: number, node?: string): PodInfo {
    const name = `${rs}-${hex(`${rs}|${this.counter++}`, 5).replace(/\d/g, (d) => 'bcdfghjklm'[Number(d)])}`;
    const info: PodInfo = {
      name,
      deployment,
      rs,
      node: node ?? (this.pods.length % 2 ? 'worker-b' : 'worker-a'),
      start: at,
    };
    this.pods.push(info);
    const tpl = (this.get(`shop/ReplicaSet/${rs}`).spec as { template: PodTemplate }).template;
    this.add({
      entity: `shop/Pod/${name}`,
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: NS,
        labels: { ...(tpl.metadata?.labels ?? {}) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, controller: true }],
        creationTimestamp: this.iso(at),
      },
      spec: { ...structuredClone(tpl.spec ?? {}), nodeName: info.node },
      status: { phase: 'Running' },
    });
    if (at > 0) {
      this.event(
        at,
        'Normal',
        'Scheduled',
        'Pod',
        name,
        `Successfully assigned shop/${name} to ${info.node}`,
      );
      this.event(at + 1, 'Normal', 'Started', 'Pod', name, `Started container ${deployment}`);
    }
    return info;
  }

  /** Deletes a running pod (Killing) at `at`, optionally replacing it from the same ReplicaSet. */
  deletePod(pod: PodInfo, at: number, replace = true): PodInfo | undefined {
    pod.end = at;
    this.objects.delete(`shop/Pod/${pod.name}`);
    this.event(at, 'Normal', 'Killing', 'Pod', pod.name, `Stopping container ${pod.deployment}`);
    if (!replace) return undefined;
    this.event(at, 'Normal', 'SuccessfulCreate', 'ReplicaSet', pod.rs, `Created pod: ${pod.rs}-xxxxx`);
    return this.startPod(pod.deployment, pod.rs, at + 1);
  }

  podsOf(deployment: string, at = 0): PodInfo[] {
    return this.pods.filter(
      (p) => p.deployment === deployment && p.start <= at && (p.end === undefined || p.end > at),
    );
  }

  /** A rollout: a new ReplicaSet from the mutated template replaces the old pods (or stalls beside them). */
  rollout(
    deployment: string,
    at: number,
    mutate: (t: PodTemplate) => void,
    opts: { stall?: boolean } = {},
  ): { rs: string; pods: PodInfo[] } {
    const dep = this.get(`shop/Deployment/${deployment}`);
    const spec = dep.spec as { replicas: number; template: PodTemplate };
    const oldPods = this.podsOf(deployment, at);
    const oldRs = oldPods[0]?.rs;
    const tpl = structuredClone(spec.template);
    mutate(tpl);
    spec.template = tpl;
    const revision =
      1 +
      [...this.objects.values()].filter(
        (o) => o.kind === 'ReplicaSet' && o.metadata.name.startsWith(`${deployment}-`),
      ).length;
    const rs = this.replicaSet(deployment, tpl, spec.replicas, at, revision);
    this.event(
      at,
      'Normal',
      'ScalingReplicaSet',
      'Deployment',
      deployment,
      `Scaled up replica set ${rs} from 0 to 1`,
    );
    const pods: PodInfo[] = [];
    pods.push(this.startPod(deployment, rs, at + 1));
    if (!opts.stall) {
      for (let i = 1; i < spec.replicas; i++) pods.push(this.startPod(deployment, rs, at + 2 + i));
      for (const p of oldPods) {
        p.end = at + 5;
        this.objects.delete(`shop/Pod/${p.name}`);
        this.event(at + 5, 'Normal', 'Killing', 'Pod', p.name, `Stopping container ${deployment}`);
        this.event(at + 5, 'Normal', 'SuccessfulDelete', 'ReplicaSet', p.rs, `Deleted pod: ${p.name}`);
      }
      if (oldRs) {
        (this.get(`shop/ReplicaSet/${oldRs}`).spec as { replicas: number }).replicas = 0;
        this.event(
          at + 5,
          'Normal',
          'ScalingReplicaSet',
          'Deployment',
          deployment,
          `Scaled down replica set ${oldRs} from ${oldPods.length} to 0`,
        );
      }
    }
    return { rs, pods };
  }

  /** `kubectl scale`: replicas change at `at`. */
  scale(deployment: string, at: number, replicas: number): void {
    const dep = this.get(`shop/Deployment/${deployment}`);
    const spec = dep.spec as { replicas: number };
    const pods = this.podsOf(deployment, at);
    const rs = pods[0]?.rs ?? '';
    this.event(
      at,
      'Normal',
      'ScalingReplicaSet',
      'Deployment',
      deployment,
      `Scaled ${replicas < spec.replicas ? 'down' : 'up'} replica set ${rs} from ${spec.replicas} to ${replicas}`,
    );
    if (replicas < spec.replicas)
      for (const p of pods.slice(replicas)) {
        p.end = at + 1;
        this.objects.delete(`shop/Pod/${p.name}`);
        this.event(at + 1, 'Normal', 'SuccessfulDelete', 'ReplicaSet', rs, `Deleted pod: ${p.name}`);
        this.event(at + 1, 'Normal', 'Killing', 'Pod', p.name, `Stopping container ${deployment}`);
      }
    else for (let i = spec.replicas; i < replicas; i++) this.startPod(deployment, rs, at + 1);
    this.replicaHistory.push({ deployment, at, from: spec.replicas, to: replicas });
    spec.replicas = replicas;
    (this.get(`shop/ReplicaSet/${rs}`).spec as { replicas: number }).replicas = replicas;
  }
  private readonly replicaHistory: Array<{ deployment: string; at: number; from: number; to: number }> = [];

  event(
    at: number,
    type: 'Normal' | 'Warning',
    reason: string,
    kind: string,
    name: string,
    message: string,
    count = 1,
    lastAt = at,
  ): void {
    const cluster = kind === 'Node';
    this.events.push({
      type,
      reason,
      message,
      involvedObject: { kind, name, ...(cluster ? {} : { namespace: NS }) },
      firstTimestamp: this.iso(at),
      lastTimestamp: this.iso(lastAt),
      count,
      source: { component: kind === 'Pod' ? 'kubelet' : 'controller' },
      entity: cluster ? `${kind}/${name}` : `shop/${kind}/${name}`,
    });
  }

  alert(
    alertname: string,
    labels: Labels,
    stretches: Array<{ state: 'pending' | 'firing'; from: number; to: number | null }>,
  ): void {
    const all = { namespace: NS, severity: 'warning', ...labels };
    for (const s of stretches)
      this.timeline.push({
        alertname,
        labels: all,
        state: s.state,
        start: this.iso(s.from),
        end: s.to === null ? null : this.iso(s.to),
      });
    const last = stretches[stretches.length - 1];
    if (last && last.to === null)
      this.active.push({
        alertname,
        state: last.state,
        labels: all,
        annotations: {},
        activeAt: this.iso(stretches[0].from),
      });
  }

  log(
    at: number,
    pod: string,
    container: string,
    line: Record<string, unknown> | string,
    stream: 'stdout' | 'stderr' = 'stdout',
  ): void {
    this.extraLogs.push({
      ts: this.iso(at),
      entity: `shop/Pod/${pod}`,
      container,
      stream,
      line: typeof line === 'string' ? line : JSON.stringify({ time: this.iso(at), ...line }),
    });
  }

  metric(name: string, labels: Labels, values: (s: number) => number | undefined): void {
    const points: MetricSeries['points'] = [];
    for (let s = 0; s <= this.duration; s += STEP_S) {
      const v = values(s);
      if (v !== undefined) points.push([this.t(s) / 1000, v]);
    }
    this.extraMetrics.push({ name, labels: { namespace: NS, ...labels }, points });
  }

  /** Calls to `peer` (from `caller`, or from everyone) get no answer with `code` from `from` on. */
  breakCalls(
    peer: string,
    from: number,
    code: string,
    opts: { caller?: string; address?: string; to?: number; giveUpAfterMs?: number } = {},
  ): void {
    this.breaks.push({
      peer,
      from,
      to: opts.to ?? Infinity,
      code,
      ...(opts.caller ? { caller: opts.caller } : {}),
      ...(opts.address ? { address: opts.address } : {}),
      ...(opts.giveUpAfterMs !== undefined ? { giveUpAfterMs: opts.giveUpAfterMs } : {}),
    });
  }

  /**
   * Calls to `peer` (from `caller`, or from everyone) go to `answeredBy`'s address from `from` on: a URL
   * that resolves to the wrong service, which answers 404 (no such endpoint); the caller fails with 502.
   */
  misroute(
    peer: string,
    from: number,
    answeredBy: string,
    opts: { caller?: string; to?: number } = {},
  ): void {
    this.breaks.push({
      peer,
      from,
      to: opts.to ?? Infinity,
      code: 'HTTP_404',
      answeredBy,
      ...(opts.caller ? { caller: opts.caller } : {}),
    });
  }

  failRequests(service: string, from: number, share: number, status = 500, to = Infinity): void {
    this.errorRates.push({ service, from, to, share, status });
  }

  slowDown(service: string, from: number, ms: number, to = Infinity): void {
    this.slows.push({ service, from, to, ms });
  }

  /** Calls to `service` (from `caller`, or from everyone) take `ms` longer on the way; its own spans do not slow. */
  delayLink(
    service: string,
    from: number,
    ms: number,
    opts: { caller?: string; to?: number; share?: number } = {},
  ): void {
    this.links.push({
      service,
      from,
      to: opts.to ?? Infinity,
      ms,
      ...(opts.caller ? { caller: opts.caller } : {}),
      ...(opts.share !== undefined ? { share: opts.share } : {}),
    });
  }

  /** The service receives no traffic (its pods are gone or unready); callers are refused. */
  takeDown(service: string, from: number, code = 'ECONNREFUSED', to = Infinity): void {
    this.down.push({ service, from, to });
    this.breakCalls(service, from, code, { to });
  }

  podState(pod: string, from: number, state: Omit<PodOverride, 'pod' | 'from' | 'to'>, to = Infinity): void {
    this.overrides.push({ pod, from, to, ...state });
  }

  /** Builds the snapshot the agent reads. */
  build(): Snapshot {
    const spans: SpanRecord[] = [];
    const logs: LogRecord[] = [];
    const server = new Map<string, number>();
    const client = new Map<string, number>();
    const bump = (m: Map<string, number>, key: string): void => {
      m.set(key, (m.get(key) ?? 0) + 1);
    };
    const serverSeries: Array<[number, string]> = [];
    const clientSeries: Array<[number, string]> = [];
    const routes = Object.keys(ROUTES).filter((k) => k.startsWith('frontend '));
    const ip = (svc: string): string =>
      (this.get(`shop/Service/${svc}`).spec as { clusterIP: string }).clusterIP;

    const handle = (
      service: string,
      key: string,
      at: number,
      traceId: string,
      parent: string,
    ): { ms: number; status: number } => {
      const spanId = hex(`${traceId}|${this.counter++}`, 16);
      const pods = this.podsOf(service, (at - this.start) / 1000);
      const pod = pods[Math.floor(pseudo(`${traceId}${service}p`) * pods.length)]?.name ?? `${service}-gone`;
      const s = (at - this.start) / 1000;
      let ms = 2 + addedMs(this.slows, service, s);
      let status = 200;
      const err = this.errorRates.find((x) => x.service === service && s >= x.from && s < x.to);
      let failedDep: { dep: string; code: string } | undefined;
      if (err && pseudo(`${traceId}${service}`) < err.share) status = err.status;
      else {
        for (const call of ROUTES[key] ?? []) {
          const t0 = at + ms;
          const cId = hex(`${traceId}|c${this.counter++}`, 16);
          const brk = this.breaks.find(
            (b) =>
              b.peer === call.peer &&
              (!b.caller || b.caller === service) &&
              (t0 - this.start) / 1000 >= b.from &&
              (t0 - this.start) / 1000 < b.to,
          );
          const address =
            brk?.address ??
            (brk?.answeredBy
              ? `${ip(brk.answeredBy)}:8080`
              : `${ip(call.peer)}:${call.peer === 'redis' ? 6379 : 8080}`);
          let childMs: number;
          let childStatus: number;
          let code: string | undefined;
          if (brk?.giveUpAfterMs !== undefined) {
            handle(call.peer, `${call.peer} ${call.method} ${call.route}`, t0 + 0.5, traceId, cId);
            childMs = brk.giveUpAfterMs;
            childStatus = 0;
            code = 'ETIMEDOUT';
          } else if (brk?.answeredBy) {
            const by = brk.answeredBy;
            const byPods = this.podsOf(by, (t0 - this.start) / 1000);
            const byPod =
              byPods[Math.floor(pseudo(`${traceId}${by}p`) * byPods.length)]?.name ?? `${by}-gone`;
            spans.push({
              traceId,
              spanId: hex(`${traceId}|${this.counter++}`, 16),
              parentSpanId: cId,
              service: by,
              name: call.method,
              start: new Date(t0 + 0.5).toISOString(),
              end: new Date(t0 + 1.5).toISOString(),
              durationMs: 1,
              status: 'unset',
              attributes: {
                'span.kind': 'server',
                'http.request.method': call.method,
                'http.response.status_code': 404,
              },
              entity: `shop/Pod/${byPod}`,
            });
            childMs = 2;
            childStatus = 404;
          } else if (brk) {
            childMs = brk.code === 'ETIMEDOUT' ? 2000 : 1;
            childStatus = 0;
            code = brk.code;
          } else if (call.peer === 'redis') {
            // untraced: a delay on the way to it (or in it) shows only in the caller's client span
            childMs = 1 + addedMs(this.links, 'redis', (t0 - this.start) / 1000, service, pseudo(cId));
            childStatus = 200;
          } else {
            const wire = addedMs(this.links, call.peer, (t0 - this.start) / 1000, service, pseudo(cId));
            const r = handle(
              call.peer,
              `${call.peer} ${call.method} ${call.route}`,
              t0 + 0.5 + wire / 2,
              traceId,
              cId,
            );
            childMs = r.ms + 1 + wire;
            childStatus = r.status;
          }
          const failed = childStatus === 0 || childStatus >= 500 || brk?.answeredBy !== undefined;
          spans.push({
            traceId,
            spanId: cId,
            parentSpanId: spanId,
            service,
            name: call.peer === 'redis' ? call.route : `${call.method} ${call.route}`,
            start: new Date(t0).toISOString(),
            end: new Date(t0 + childMs).toISOString(),
            durationMs: childMs,
            status: failed ? 'error' : 'unset',
            attributes: {
              'span.kind': 'client',
              'peer.service': call.peer,
              'server.address': address.split(':')[0],
              'server.port': Number(address.split(':')[1]),
              // a call that got no answer has no status code, as the shop's client records it
              ...(call.peer === 'redis'
                ? { 'db.system': 'redis' }
                : childStatus === 0
                  ? {}
                  : { 'http.response.status_code': childStatus }),
              ...(code ? { 'error.type': code } : {}),
            },
            entity: `shop/Pod/${pod}`,
          });
          bump(client, `${service}|${call.peer}|${childStatus === 0 ? 'error' : childStatus}`);
          clientSeries.push([t0, `${service}|${call.peer}|${childStatus === 0 ? 'error' : childStatus}`]);
          ms += childMs;
          if (failed) {
            failedDep = { dep: call.peer, code: code ?? `HTTP_${childStatus}` };
            logs.push({
              ts: new Date(t0 + childMs).toISOString(),
              entity: `shop/Pod/${pod}`,
              container: service,
              stream: 'stdout',
              line: JSON.stringify({
                level: 'warn',
                service,
                pod,
                trace_id: traceId,
                dependency: call.peer,
                err_code: failedDep.code,
                url: `http://${address}${call.route}`,
                msg: `${call.peer} call failed: ${code === 'ETIMEDOUT' ? `timed out after ${childMs}ms waiting for ${address}` : failedDep.code}`,
              }),
            });
            status = code === 'ETIMEDOUT' ? 504 : code ? 503 : 502;
            break;
          }
          // A refusal (402 declined, 409 no stock) is passed on as it came, and the request goes no further.
          if (childStatus >= 400 && childStatus !== 404) {
            status = childStatus;
            break;
          }
        }
      }
      const [, method, route] = key.split(' ');
      spans.push({
        traceId,
        spanId,
        parentSpanId: parent,
        service,
        name: `${method} ${route}`,
        start: new Date(at).toISOString(),
        end: new Date(at + ms).toISOString(),
        durationMs: ms,
        status: status >= 500 ? 'error' : 'unset',
        attributes: {
          'span.kind': 'server',
          'http.route': route,
          'http.request.method': method,
          'http.response.status_code': status,
        },
        entity: `shop/Pod/${pod}`,
      });
      bump(server, `${service}|${status}`);
      serverSeries.push([at, `${service}|${status}`]);
      logs.push({
        ts: new Date(at + ms).toISOString(),
        entity: `shop/Pod/${pod}`,
        container: service,
        stream: 'stdout',
        line: JSON.stringify(
          status >= 500
            ? {
                level: 'error',
                service,
                pod,
                trace_id: traceId,
                ...(failedDep ? { dependency: failedDep.dep, err_code: failedDep.code } : {}),
                status,
                msg: `${method} ${route} failed: ${failedDep ? `${failedDep.dep}: ${failedDep.code}` : 'internal server error'}`,
              }
            : {
                level: 'info',
                service,
                pod,
                trace_id: traceId,
                method,
                route,
                path: route,
                status,
                duration_ms: ms,
                msg: 'request completed',
              },
        ),
      });
      return { ms, status };
    };

    for (let s = 0; s < this.duration; s += 1 / this.rps) {
      const at = this.t(s);
      const key = routes[Math.floor(pseudo(`r${s}`) * routes.length)];
      const traceId = hex(`trace|${s}`, 32);
      if (this.down.some((d) => d.service === 'frontend' && s >= d.from && s < d.to)) continue;
      handle('frontend', key, at, traceId, hex(`root|${s}`, 16));
    }

    const metrics: MetricSeries[] = [];
    const counter = (name: string, items: Array<[number, string]>, toLabels: (k: string) => Labels): void => {
      const keys = new Set(items.map(([, k]) => k));
      for (const k of keys) {
        const times = items.filter(([, x]) => x === k).map(([t]) => t);
        const points: MetricSeries['points'] = [];
        for (let s = 0; s <= this.duration; s += STEP_S)
          points.push([this.t(s) / 1000, times.filter((t) => t <= this.t(s)).length]);
        metrics.push({ name, labels: { namespace: NS, job: 'shop', ...toLabels(k) }, points });
      }
    };
    counter('http_server_requests_total', serverSeries, (k) => ({
      service: k.split('|')[0],
      status: k.split('|')[1],
    }));
    counter('http_client_requests_total', clientSeries, (k) => ({
      service: k.split('|')[0],
      dependency: k.split('|')[1],
      status: k.split('|')[2],
    }));
    metrics.push(...this.podMetrics(), ...this.extraMetrics);

    logs.push(...this.extraLogs);
    logs.sort((a, b) => a.ts.localeCompare(b.ts));
    this.rawLogs = logs;
    return {
      dir: '(synthetic)',
      alerts: {
        active: this.active,
        timeline: [...this.timeline].sort((a, b) => a.start.localeCompare(b.start)),
      },
      events: [...this.events].sort((a, b) => a.firstTimestamp.localeCompare(b.firstTimestamp)),
      objects: [...this.objects.values()],
      objectChanges: this.objectChanges.map((c) => ({
        at: Date.parse(c.ts),
        action: c.action,
        entity: c.entity,
        object: c.object,
      })),
      topology: this.topology(),
      metrics,
      spans: spans.map(lite),
      logs: digestOf(logs),
      window: { start: this.start, end: this.t(this.duration) },
      warnings: [],
    };
  }

  /** Writes the snapshot files, as capture would, for tests of the reader and the process. */
  async writeTo(dir: string): Promise<void> {
    const snap = this.build();
    await mkdir(dir, { recursive: true });
    const nd = (xs: unknown[]): string =>
      xs.map((x) => JSON.stringify(x)).join('\n') + (xs.length ? '\n' : '');
    await writeFile(join(dir, 'alerts.json'), JSON.stringify(snap.alerts, null, 2));
    await writeFile(join(dir, 'events.ndjson'), nd(snap.events));
    await writeFile(join(dir, 'objects.ndjson'), nd(snap.objects));
    await writeFile(join(dir, 'topology.json'), JSON.stringify(snap.topology));
    await writeFile(join(dir, 'metrics.ndjson'), nd(snap.metrics));
    await writeFile(join(dir, 'traces.ndjson'), nd(this.rawSpans(snap)));
    await writeFile(join(dir, 'logs.ndjson'), nd(this.rawLogs));
    if (this.objectChanges.length > 0)
      await writeFile(join(dir, 'object-changes.ndjson'), nd(this.objectChanges));
    await writeFile(
      join(dir, 'task.md'),
      `# Incident investigation\n\nThe snapshot in this directory covers ${this.iso(0)} to ${this.iso(this.duration)}.\n`,
    );
  }

  private rawLogs: LogRecord[] = [];
  private rawSpans(snap: Snapshot): SpanRecord[] {
    return snap.spans.map((s) => ({
      traceId: s.traceId,
      spanId: s.spanId,
      parentSpanId: s.parentId,
      service: s.service,
      name: s.name,
      start: new Date(s.start).toISOString(),
      end: new Date(s.end).toISOString(),
      durationMs: s.durationMs,
      status: s.error ? 'error' : 'unset',
      attributes: {
        'span.kind': s.kind,
        ...(s.peer ? { 'peer.service': s.peer } : {}),
        ...(s.address
          ? { 'server.address': s.address.split(':')[0], 'server.port': Number(s.address.split(':')[1]) }
          : {}),
        ...(s.errorType ? { 'error.type': s.errorType } : {}),
        ...(s.httpStatus !== undefined ? { 'http.response.status_code': s.httpStatus } : {}),
        ...(s.db ? { 'db.system': s.db } : {}),
      },
      entity: s.entity,
    }));
  }

  private podMetrics(): MetricSeries[] {
    const out: MetricSeries[] = [];
    const alive = (p: PodInfo, s: number): boolean => p.start <= s && (p.end === undefined || p.end > s);
    const over = (p: PodInfo, s: number): PodOverride[] =>
      this.overrides.filter((o) => o.pod === p.name && s >= o.from && s < o.to);
    const series = (name: string, labels: Labels, value: (s: number) => number | undefined): void => {
      const points: MetricSeries['points'] = [];
      for (let s = 0; s <= this.duration; s += STEP_S) {
        const v = value(s);
        if (v !== undefined) points.push([this.t(s) / 1000, v]);
      }
      if (points.length > 0)
        out.push({ name, labels: { namespace: NS, job: 'kube-state-metrics', ...labels }, points });
    };
    for (const p of this.pods) {
      const c = p.deployment;
      const l = { pod: p.name, container: c };
      series('kube_pod_owner', { pod: p.name, owner_kind: 'ReplicaSet', owner_name: p.rs }, (s) =>
        alive(p, s) ? 1 : undefined,
      );
      series('kube_pod_container_status_restarts_total', l, (s) => {
        if (!alive(p, s)) return undefined;
        let n = 0;
        for (const o of this.overrides.filter((x) => x.pod === p.name && x.restartsPerMinute))
          n += Math.floor((Math.max(0, Math.min(s, o.to) - o.from) / 60) * (o.restartsPerMinute ?? 0));
        return n;
      });
      for (const cond of ['true', 'false'])
        series('kube_pod_status_ready', { pod: p.name, condition: cond }, (s) => {
          if (!alive(p, s)) return undefined;
          const o = over(p, s).find((x) => x.ready !== undefined);
          const ready = o ? o.ready : true;
          return (cond === 'true') === ready ? 1 : 0;
        });
      for (const phase of ['Pending', 'Running'])
        series('kube_pod_status_phase', { pod: p.name, phase }, (s) => {
          if (!alive(p, s)) return undefined;
          const o = over(p, s).find((x) => x.phase);
          return (o?.phase ?? 'Running') === phase ? 1 : 0;
        });
      const reasons = new Set(
        this.overrides.filter((o) => o.pod === p.name && o.waiting).map((o) => o.waiting as string),
      );
      for (const r of reasons)
        series('kube_pod_container_status_waiting_reason', { ...l, reason: r }, (s) =>
          alive(p, s) ? (over(p, s).some((o) => o.waiting === r) ? 1 : 0) : undefined,
        );
      const terminated = new Set(
        this.overrides
          .filter((o) => o.pod === p.name && o.lastTerminated)
          .map((o) => o.lastTerminated as string),
      );
      for (const r of terminated)
        series('kube_pod_container_status_last_terminated_reason', { ...l, reason: r }, (s) =>
          alive(p, s) ? (over(p, s).some((o) => o.lastTerminated === r) ? 1 : 0) : undefined,
        );
      series('container_cpu_usage_seconds_total', l, (s) => {
        if (!alive(p, s)) return undefined;
        let v = 0;
        for (let x = 0; x < s; x += STEP_S)
          v += STEP_S * (over(p, x).find((o) => o.cpuCores !== undefined)?.cpuCores ?? 0.02);
        return v;
      });
      series('container_memory_working_set_bytes', l, (s) => {
        if (!alive(p, s)) return undefined;
        const o = this.overrides.find((x) => x.pod === p.name && x.memoryBytesPerMinute);
        const grow = o ? (Math.max(0, Math.min(s, o.to) - o.from) / 60) * (o.memoryBytesPerMinute ?? 0) : 0;
        return 70 * 2 ** 20 + grow;
      });
      series('kube_pod_container_resource_limits', { ...l, resource: 'cpu' }, (s) =>
        alive(p, s) ? 0.5 : undefined,
      );
      series('kube_pod_container_resource_limits', { ...l, resource: 'memory' }, (s) =>
        alive(p, s) ? 192 * 2 ** 20 : undefined,
      );
      series('up', { pod: p.name, job: 'shop' }, (s) => (alive(p, s) ? 1 : undefined));
    }
    for (const o of this.objects.values()) {
      if (o.kind !== 'Deployment') continue;
      const name = o.metadata.name;
      const now = (o.spec as { replicas: number }).replicas;
      const hist = this.replicaHistory.filter((h) => h.deployment === name);
      const desired = (s: number): number => {
        let v = hist.length > 0 ? hist[0].from : now;
        for (const h of hist) if (s >= h.at) v = h.to;
        return v;
      };
      series('kube_deployment_spec_replicas', { deployment: name }, desired);
      series(
        'kube_deployment_status_replicas_available',
        { deployment: name },
        (s) =>
          this.pods.filter(
            (p) =>
              p.deployment === name &&
              alive(p, s) &&
              !over(p, s).some((x) => x.ready === false || x.phase === 'Pending'),
          ).length,
      );
    }
    return out;
  }

  private topology(): Topology {
    const entities = [...this.objects.values()].map((o) => ({
      id: o.entity,
      kind: o.kind,
      name: o.metadata.name,
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      ...(o.metadata.labels ? { labels: o.metadata.labels } : {}),
    }));
    const edges: Topology['edges'] = [];
    for (const o of this.objects.values()) {
      for (const r of o.metadata.ownerReferences ?? [])
        edges.push({ from: `shop/${r.kind}/${r.name}`, to: o.entity, type: 'owns' });
      const nodeName = (o.spec as { nodeName?: string } | undefined)?.nodeName;
      if (o.kind === 'Pod' && nodeName)
        edges.push({
          from: o.entity,
          to: `Node/${nodeName}`,
          type: 'runs-on',
        });
    }
    for (const [key, calls] of Object.entries(ROUTES)) {
      const caller = key.split(' ')[0];
      for (const c of calls)
        edges.push({ from: `shop/Deployment/${caller}`, to: `shop/Service/${c.peer}`, type: 'calls' });
    }
    return { entities, edges };
  }
}

function lite(s: SpanRecord): SpanLite {
  const a = s.attributes;
  const start = Date.parse(s.start);
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentId: s.parentSpanId,
    service: s.service,
    name: s.name,
    kind: a['span.kind'] === 'server' ? 'server' : 'client',
    start,
    end: start + s.durationMs,
    durationMs: s.durationMs,
    error: s.status === 'error',
    ...(typeof a['http.response.status_code'] === 'number'
      ? { httpStatus: a['http.response.status_code'] }
      : {}),
    ...(typeof a['error.type'] === 'string' ? { errorType: a['error.type'] } : {}),
    ...(typeof a['peer.service'] === 'string' ? { peer: a['peer.service'] } : {}),
    ...(typeof a['server.address'] === 'string'
      ? { address: `${a['server.address']}:${a['server.port']}` }
      : {}),
    ...(typeof a['db.system'] === 'string' ? { db: a['db.system'] } : {}),
    entity: s.entity,
  };
}

function digestOf(records: LogRecord[]): ReturnType<LogDigester['finish']> {
  const d = new LogDigester();
  for (const r of records) d.add(r);
  return d.finish();
}

function hex(seed: string, n: number): string {
  let out = '';
  let i = 0;
  while (out.length < n) out += createHash('sha256').update(`${seed}|${i++}`).digest('hex');
  return out.slice(0, n);
}

/** Deterministic pseudo-random number in [0, 1) from a string. */
function pseudo(seed: string): number {
  return parseInt(hex(seed, 8), 16) / 2 ** 32;
}
