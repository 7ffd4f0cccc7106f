import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRecord } from '../../bundle/records.js';
import type { CaptureSources } from '../../platform/capture-sources.js';
import type { FaultTarget } from '../../platform/fault-target.js';
import { containersOf } from '../../kube/containers.js';
import { hasRestarted, podPhaseOf } from '../../kube/pod-status.js';
import { podSpecOf } from '../../kube/pod-template.js';
import { asPod, asService } from '../../kube/typed-objects.js';
import { applyOrder } from '../../manifests/apply-order.js';
import { loadManifests } from '../../manifests/load-manifests.js';
import { SHOP_MANIFESTS_DIR } from '../../manifests/paths.js';
import { loadRuleFiles } from '../../manifests/rule-files.js';
import type { Logger } from '../../logging/logger.js';
import { ProcessRegistry } from '../../process/process-registry.js';
import { OtlpHttpReceiver } from '../../telemetry/otlp-http-receiver.js';
import { PrometheusHttpClient } from '../../telemetry/prometheus-http-client.js';
import { requireTool, type ToolLocation } from '../../tools/find-tool.js';
import { ALERTMANAGER, POSTGRES, PROMETHEUS, REDIS_SERVER } from '../../tools/tool-specs.js';
import { systemClock } from '../../util/clock.js';
import { REPO_ROOT, TOOL_VERSION } from '../../version.js';
import {
  APP_NAMESPACE,
  FLAGS_SERVICE,
  POSTGRES_APP_ROLE,
  POSTGRES_DATABASE,
  POSTGRES_PORT,
  POSTGRES_SECRET,
  POSTGRES_SERVICE,
  POSTGRES_SUPERUSER,
  REDIS_SECRET,
  REDIS_SERVICE,
  SYSTEM_NAMESPACE,
} from '../../platform/app-namespaces.js';
import { HttpFlagsClient } from '../http-flags-client.js';
import { PgPostgresAdmin, type PostgresEndpoint } from '../pg-postgres-admin.js';
import { settleAppPostgres } from '../postgres-state.js';
import { settleStreams } from '../queue-state.js';
import { rerunSetupJobs } from '../setup-jobs.js';
import { RespRedisAdmin } from '../resp-redis-admin.js';
import type { ManifestEdit, ProgressReporter, Substrate } from '../../platform/substrate.js';
import { clearEvents, pruneReplicaSetHistory, removeStatelessDeployments } from '../fresh-app.js';
import { waitDeploymentsReady } from '../wait-healthy.js';
import { ensureShopBuilt } from '../../../apps/shop/src/dev/ensure-built.js';
import { LocalCluster, type PodTarget } from './local-cluster.js';
import { AlertmanagerProcess } from './observability/alertmanager-process.js';
import { PrometheusProcess } from './observability/prometheus-process.js';
import type { ExtraScrapeJob, ScrapeTarget } from './observability/prometheus-config.js';
import { CADVISOR_PATH } from './kube-state-exporter.js';
import { NODE_NAME } from './node.js';
import { redisCommand } from './observability/redis-resp.js';
import { ProcessContainerRuntime } from './process-container-runtime.js';
import { networkProber } from './prober.js';

export interface LocalSubstrateOptions {
  logger: Logger;
  /** Scratch space for configs, TSDB and pod directories; default a new temp dir, removed on down. */
  workDir?: string;
  /** pid files of every child, so `firedrill down` can clean up after a crashed run. */
  pidDir?: string;
  /** How long bring-up may take before failing with the names of what is not ready. */
  readyTimeoutMs?: number;
}

/**
 * The embedded substrate: no container engine. The shop's manifests run as processes under a local
 * kubelet, with a real Prometheus (same rules as on Kubernetes), a real Alertmanager and an OTLP
 * receiver in place of Jaeger. Entities keep their Kubernetes ids.
 */
export class LocalSubstrate implements Substrate {
  readonly name = 'local' as const;
  readonly faultTarget: FaultTarget;
  readonly capture: CaptureSources;
  private cluster: LocalCluster | undefined;
  private prometheus: PrometheusProcess | undefined;
  private alertmanager: AlertmanagerProcess | undefined;
  private receiver: OtlpHttpReceiver | undefined;
  private workDir: string | undefined;
  private ownsWorkDir = false;
  private readonly registry: ProcessRegistry;
  private readonly log: Logger;
  private reloadChain: Promise<void> = Promise.resolve();
  private tools: Record<string, ToolLocation> = {};
  private redisBaseline: string | undefined;
  /** The PostgreSQL state once the app was first healthy (postgres-state.ts); undefined when unreadable. */
  private postgresBaseline: string | undefined;
  private observabilityGeneration = 0;

  constructor(private readonly opts: LocalSubstrateOptions) {
    this.log = opts.logger.child({ component: 'local-substrate' });
    this.registry = new ProcessRegistry({ pidDir: opts.pidDir, killOnSignal: false });
    const cluster = (): LocalCluster => this.requireCluster();
    const prometheus = (): PrometheusProcess => this.requirePrometheus();
    this.faultTarget = {
      get objects() {
        return cluster();
      },
      flags: new HttpFlagsClient(
        async () => `http://${await this.serviceAddress(SYSTEM_NAMESPACE, FLAGS_SERVICE, 8080)}`,
      ),
      redis: new RespRedisAdmin(async () => this.redisEndpoint()),
      postgres: new PgPostgresAdmin(async () => this.postgresEndpoint()),
      get chaos() {
        return cluster().chaos;
      },
    };
    this.capture = {
      get prometheus() {
        return new PrometheusHttpClient({ baseUrl: prometheus().url });
      },
      get objects() {
        return cluster();
      },
      events: async () => this.requireCluster().list('Event'),
      logs: async (w) =>
        this.requireCluster().logs.between(w.start.toISOString(), w.end.toISOString()) as LogRecord[],
      traces: async (w) => this.receiver?.store.query({ from: w.start, to: w.end }) ?? [],
      present: (text) => {
        const cluster = this.requireCluster();
        return cluster.paths.present(cluster.addresses.present(text));
      },
    };
  }

  private requireCluster(): LocalCluster {
    if (!this.cluster) throw new Error('local substrate is not up');
    return this.cluster;
  }

  private requirePrometheus(): PrometheusProcess {
    if (!this.prometheus) throw new Error('local substrate is not up');
    return this.prometheus;
  }

  private async serviceAddress(ns: string, name: string, port: number): Promise<string> {
    const svc = await this.requireCluster().get('Service', ns, name);
    const ip = asService(svc)?.spec?.clusterIP;
    if (!ip) throw new Error(`Service ${ns}/${name} has no address; is the app deployed?`);
    return `${ip}:${port}`;
  }

  private async secretValue(ref: { name: string; key: string }): Promise<string | undefined> {
    const secret = await this.requireCluster().get('Secret', APP_NAMESPACE, ref.name);
    const b64 = secret?.data?.[ref.key];
    return b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
  }

  private async redisEndpoint(): Promise<{ host: string; port: number; password?: string }> {
    const [host, port] = (await this.serviceAddress(APP_NAMESPACE, REDIS_SERVICE, 6379)).split(':');
    return { host, port: Number(port), password: await this.secretValue(REDIS_SECRET) };
  }

  /** The newest running PostgreSQL pod's own address, as an operator reaches it (past a broken Service). */
  private async postgresEndpoint(): Promise<PostgresEndpoint> {
    const pods = (
      await this.requireCluster().list('Pod', APP_NAMESPACE, { 'app.kubernetes.io/name': POSTGRES_SERVICE })
    )
      .filter((p) => !p.metadata.deletionTimestamp && podPhaseOf(p) === 'Running')
      .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
    const host = asPod(pods[0])?.status?.podIP;
    if (!host) throw new Error(`no running ${POSTGRES_SERVICE} pod in ${APP_NAMESPACE}`);
    return {
      host,
      port: POSTGRES_PORT,
      password: await this.secretValue(POSTGRES_SECRET),
      database: POSTGRES_DATABASE,
      users: [POSTGRES_SUPERUSER, POSTGRES_APP_ROLE],
    };
  }

  async up(signal: AbortSignal, progress: ProgressReporter): Promise<void> {
    if (this.cluster) return;
    progress.phase('up', 'checking prerequisites');
    const [prom, am, redis, postgres] = await Promise.all([
      requireTool(PROMETHEUS),
      requireTool(ALERTMANAGER),
      requireTool(REDIS_SERVER),
      requireTool(POSTGRES),
    ]);
    this.tools = { prometheus: prom, alertmanager: am, 'redis-server': redis, postgres };
    // The shop runs from compiled JavaScript (a TypeScript loader in every pod would double its memory).
    ensureShopBuilt(REPO_ROOT);
    this.ownsWorkDir = !this.opts.workDir;
    this.workDir = this.opts.workDir ?? (await mkdtemp(join(tmpdir(), 'kubelet-')));
    await mkdir(this.workDir, { recursive: true });

    progress.phase('up', 'trace receiver, Alertmanager, Prometheus');
    this.receiver = await OtlpHttpReceiver.start({ logger: this.log.child({ component: 'otlp' }) });
    const cluster = new LocalCluster({
      runtime: new ProcessContainerRuntime(this.registry),
      prober: networkProber,
      clock: systemClock,
      logger: this.log,
      repoRoot: REPO_ROOT,
      runDir: this.workDir,
      aliases: { 'jaeger.observability:4318': `${this.receiver.host}:${this.receiver.port}` },
    });
    this.cluster = cluster;
    await cluster.start();
    await this.startObservability();
    cluster.onTargetsChanged((t) => this.retarget(t));
    signal.throwIfAborted();

    progress.phase('up', 'deploying the shop');
    await this.applyManifests();
    progress.phase('up', 'waiting for every Deployment to be ready');
    await waitDeploymentsReady(
      cluster,
      [APP_NAMESPACE, SYSTEM_NAMESPACE],
      this.opts.readyTimeoutMs ?? 120_000,
      signal,
    );
    this.redisBaseline = await this.redisSettings();
    this.postgresBaseline = (await this.settlePostgres(undefined))?.state;
  }

  /**
   * Prometheus and Alertmanager with empty storage. Each run starts from a fresh TSDB, so alerts, rate
   * windows and restart counters of an earlier run cannot leak into the next one's evidence.
   */
  private async startObservability(): Promise<void> {
    const workDir = this.workDir ?? '';
    const gen = ++this.observabilityGeneration;
    const [prom, am] = [this.tools.prometheus, this.tools.alertmanager];
    this.alertmanager = await AlertmanagerProcess.start({
      workDir: join(workDir, `alertmanager-${gen}`),
      binary: am,
      registry: this.registry,
    });
    this.prometheus = await PrometheusProcess.start({
      workDir: join(workDir, `prometheus-${gen}`),
      binary: prom,
      registry: this.registry,
      ruleFiles: await loadRuleFiles(),
      alertmanagers: [`${this.alertmanager.host}:${this.alertmanager.port}`],
      targets: this.scrapeConfig(this.requireCluster().scrapeTargets()),
      extraJobs: this.clusterJobs(),
    });
  }

  private async stopObservability(): Promise<void> {
    await this.reloadChain;
    const [prom, am] = [this.prometheus, this.alertmanager];
    this.prometheus = undefined;
    this.alertmanager = undefined;
    await prom?.stop().catch(() => undefined);
    await am?.stop().catch(() => undefined);
    if (this.workDir && prom) await rm(prom.dataDir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** The Redis settings faults change; recorded when the app is first healthy, compared on reset. */
  private async redisSettings(): Promise<string | undefined> {
    const ep = await this.redisEndpoint().catch(() => undefined);
    if (!ep) return undefined;
    const values: string[] = [];
    for (const key of ['maxmemory', 'maxmemory-policy']) {
      const r = await redisCommand(ep, ['CONFIG', 'GET', key]).catch(() => undefined);
      if (!Array.isArray(r)) return undefined;
      values.push(`${key}=${String(r[1])}`);
    }
    return values.join(' ');
  }

  /** PostgreSQL's run-time state put back and read once it settles (postgres-state.ts). */
  private settlePostgres(baseline: string | undefined): Promise<{ state: string } | undefined> {
    return settleAppPostgres(this.faultTarget.postgres, this.log, baseline);
  }

  /**
   * kube-state-metrics, and the kubelet's cAdvisor (container usage) as a cluster scrapes it: both are
   * served by the substrate's exporter, labelled as manifests/observability/prometheus.yaml labels them on
   * a cluster (the kubelet reached through the API server's node proxy).
   */
  private clusterJobs(): ExtraScrapeJob[] {
    const address = `127.0.0.1:${this.requireCluster().kubeState.port}`;
    return [
      { job: 'kube-state-metrics', targets: [address], honorLabels: true },
      {
        job: 'kubelet',
        targets: [address],
        metricsPath: CADVISOR_PATH,
        honorLabels: true,
        labels: { instance: 'kubernetes.default.svc:443', node: NODE_NAME },
      },
    ];
  }

  /** Pod discovery: Prometheus is re-targeted whenever the set of scrapeable pods changes. */
  private retarget(targets: PodTarget[]): void {
    if (!this.prometheus) return;
    this.reloadChain = this.reloadChain
      .then(() =>
        this.prometheus?.reload({
          targets: this.scrapeConfig(targets),
        }),
      )
      .catch((err: unknown) => this.log.warn({ err }, 'prometheus reload failed'));
  }

  private scrapeConfig(targets: PodTarget[]): ScrapeTarget[] {
    return targets.map((t) => ({
      job: 'shop',
      address: t.address,
      metricsPath: t.path,
      labels: { namespace: t.namespace, pod: t.pod, app: t.app },
    }));
  }

  private async applyManifests(asDeployed?: ManifestEdit): Promise<void> {
    const cluster = this.requireCluster();
    const objects = await loadManifests(SHOP_MANIFESTS_DIR);
    asDeployed?.(objects);
    for (const obj of applyOrder(objects)) await cluster.apply(obj);
  }

  async reset(signal: AbortSignal, progress: ProgressReporter, asDeployed?: ManifestEdit): Promise<void> {
    const cluster = this.requireCluster();
    progress.phase('reset', 're-applying manifests, clearing settings');
    // Only a failed undo leaves a proxy rule or a stressor behind; none may reach the next run.
    await cluster.chaos.clear();
    // Nor the earlier runs' spans and log lines: each run captures only its own window, and in a corpus
    // session they piled up in this process (half a million spans after ten runs), whose garbage
    // collection then stalled the Service proxies it also runs: later runs saw p95s several times higher.
    this.receiver?.store.clear();
    cluster.logs.clear();
    await removeStatelessDeployments(cluster, APP_NAMESPACE, this.opts.readyTimeoutMs ?? 120_000, signal);
    await this.applyManifests(asDeployed);
    await (this.faultTarget.flags as HttpFlagsClient)
      .clear()
      .catch((err: unknown) => this.log.warn({ err }, 'clearing settings failed'));
    // Redis' runtime settings are in no manifest: compare them with the baseline taken at bring-up
    // (reading them also proves the Secret's password still works) and restart Redis when they differ.
    const now = await this.redisSettings();
    if (this.redisBaseline !== undefined && now !== this.redisBaseline) {
      this.log.warn({ baseline: this.redisBaseline, now }, 'redis differs from its baseline; restarting it');
      for (const p of await cluster.list('Pod', APP_NAMESPACE, { 'app.kubernetes.io/name': REDIS_SERVICE })) {
        await cluster.delete('Pod', APP_NAMESPACE, p.metadata.name);
      }
    }
    // No run inherits the previous one's messages (queue-state.ts).
    await settleStreams(this.faultTarget.redis, this.log);
    // PostgreSQL's too (connection limits, ALTER SYSTEM, per-role settings, stuck sessions): put back over
    // SQL, and restarted (an empty database again) only when that does not bring the bring-up state back.
    const pg = await this.settlePostgres(this.postgresBaseline);
    let databaseReplaced = false;
    if (this.postgresBaseline !== undefined && pg?.state !== this.postgresBaseline) {
      this.log.warn(
        { baseline: this.postgresBaseline, now: pg?.state },
        'postgres differs from its baseline; restarting it',
      );
      for (const p of await cluster.list('Pod', APP_NAMESPACE, {
        'app.kubernetes.io/name': POSTGRES_SERVICE,
      })) {
        await cluster.delete('Pod', APP_NAMESPACE, p.metadata.name);
        databaseReplaced = true;
      }
    }
    // Pods that restarted in an earlier run carry its history (restart counts, OOMKilled); replace them.
    for (const p of await cluster.list('Pod', APP_NAMESPACE)) {
      if (hasRestarted(p)) {
        await cluster.delete('Pod', APP_NAMESPACE, p.metadata.name);
        if (p.metadata.labels?.['app.kubernetes.io/name'] === POSTGRES_SERVICE) databaseReplaced = true;
      }
    }
    if (databaseReplaced) {
      const jobs = await rerunSetupJobs(cluster, await loadManifests(SHOP_MANIFESTS_DIR));
      this.log.warn({ jobs }, 'postgres was replaced (an empty database); running the setup jobs again');
    }
    await waitDeploymentsReady(
      cluster,
      [APP_NAMESPACE, SYSTEM_NAMESPACE],
      this.opts.readyTimeoutMs ?? 120_000,
      signal,
    );
    await pruneReplicaSetHistory(cluster, APP_NAMESPACE);
    await clearEvents(cluster, [APP_NAMESPACE, 'default']);
    progress.phase('reset', 'fresh Prometheus and Alertmanager');
    await this.stopObservability();
    await this.startObservability();
  }

  /** Endpoints a user can open while the substrate is up (`run --keep-up`, `up`). */
  endpoints(): Record<string, string> {
    return {
      prometheus: this.prometheus?.url ?? '',
      alertmanager: this.alertmanager?.url ?? '',
      traces: this.receiver ? `http://${this.receiver.host}:${this.receiver.port}/v1/traces` : '',
      workDir: this.workDir ?? '',
    };
  }

  async environment(): Promise<Record<string, unknown>> {
    const cluster = this.requireCluster();
    const images: Record<string, string> = {};
    for (const d of await cluster.list('Deployment')) {
      for (const c of containersOf(podSpecOf(d))) {
        if (c.image !== undefined) images[`${d.metadata.namespace}/${d.metadata.name}/${c.name}`] = c.image;
      }
    }
    return {
      substrate: 'local',
      firedrill: TOOL_VERSION,
      node: process.version,
      kernel: release(),
      tools: this.tools,
      images,
      note: "local substrate: images run as processes (acme/shop → node dist/apps/shop/src/main.js, redis → redis-server, postgres → images/postgres/entrypoint.sh with Debian's postgresql)",
    };
  }

  async down(): Promise<void> {
    const cluster = this.cluster;
    this.cluster = undefined;
    await this.stopObservability();
    await cluster?.stop().catch((err: unknown) => this.log.warn({ err }, 'stopping pods failed'));
    await this.receiver?.close().catch(() => undefined);
    await this.registry.stopAll(2000);
    this.receiver = undefined;
    if (this.ownsWorkDir && this.workDir) await rm(this.workDir, { recursive: true, force: true });
  }
}
