import type { KubeConfig } from '@kubernetes/client-node';
import type { LogRecord } from '../../bundle/records.js';
import type { CaptureSources, CaptureWindow } from '../../platform/capture-sources.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { FiredrillError } from '../../errors/firedrill-error.js';
import { KubeApiError } from '../../errors/kube-api-error.js';
import type { FaultTarget } from '../../platform/fault-target.js';
import { clientNodePortForward } from '../../kube/client-node-port-forward.js';
import type { ServerVersion } from '../../kube/cluster-api.js';
import { HttpClusterApi } from '../../kube/http-cluster-api.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { containerStatusesOf, hasRestarted, podPhaseOf } from '../../kube/pod-status.js';
import { rerunSetupJobs } from '../setup-jobs.js';
import { asNode } from '../../kube/typed-objects.js';
import { KubeConfigTransport } from '../../kube/kubeconfig-transport.js';
import type { KubeTransport } from '../../kube/kube-transport.js';
import { parsePodLog } from '../../kube/pod-log-lines.js';
import { PodPortForwarder, type PodStreamOpener } from '../../kube/pod-port-forwarder.js';
import { ServiceProxyForwarder, type ServiceTarget } from '../../kube/service-proxy-forwarder.js';
import type { Logger } from '../../logging/logger.js';
import type { K8sObject } from '../../manifests/k8s-object.js';
import { PrometheusHttpClient } from '../../telemetry/prometheus-http-client.js';
import { abortableDelay } from '../../util/clock.js';
import { TOOL_VERSION } from '../../version.js';
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
import { RespRedisAdmin } from '../resp-redis-admin.js';
import type { ManifestEdit, ProgressReporter, Substrate } from '../../platform/substrate.js';
import { clearEvents, pruneReplicaSetHistory, removeStatelessDeployments } from '../fresh-app.js';
import { waitDeploymentsReady } from '../wait-healthy.js';
import {
  deploymentObjects,
  OBSERVABILITY_NAMESPACE,
  shopObjects,
  type DeploySources,
} from './deploy-objects.js';
import { fetchJaegerSpans } from './jaeger-traces.js';
import { redisBaseline } from './redis-baseline.js';
import { waitPodsReplaced } from './wait-pods.js';
import { ChaosMeshApi } from './chaos-mesh/chaos-mesh-api.js';
import { ChaosMeshInstaller } from './chaos-mesh/chaos-mesh-install.js';
import type { ChaosMeshCerts } from './chaos-mesh/chaos-mesh-certs.js';
import type { ChaosApi } from '../../platform/chaos-api.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';

export interface KubernetesSubstrateOptions {
  logger: Logger;
  /** How long the Deployments may take to be ready on bring-up and after reset; default 10 min (image pulls). */
  readyTimeoutMs?: number;
  /** Where the manifests come from, and an optional shop image override. */
  deploy?: DeploySources;
  /** Namespaces whose container logs are captured; default the app's. */
  logNamespaces?: readonly string[];
  /** Bytes read per container log; default 8 MiB. */
  logLimitBytes?: number;
  /**
   * Install Chaos Mesh on `up` (and remove it on `down`), for the chaos fault types; default false. Runs
   * whose scenarios need a chaos capability pass true; the others leave clusters without its images alone.
   */
  chaosMesh?: boolean;
  /** How long Chaos Mesh may take to be ready, and to report an experiment injected or recovered. */
  chaosTimeoutMs?: number;
  /** Seam for tests: Chaos Mesh's certificates without openssl. */
  chaosMeshCerts?: () => Promise<ChaosMeshCerts>;
  /** Seams for tests: HTTP to the API server, and the pod port-forward. */
  transportFor?: (kc: KubeConfig) => KubeTransport;
  portForwardFor?: (kc: KubeConfig) => PodStreamOpener;
}

/** The HTTP services firedrill talks to inside the cluster, each behind a local service-proxy forwarder. */
const SERVICES = {
  prometheus: { namespace: OBSERVABILITY_NAMESPACE, service: 'prometheus', port: 9090 },
  alertmanager: { namespace: OBSERVABILITY_NAMESPACE, service: 'alertmanager', port: 9093 },
  jaeger: { namespace: OBSERVABILITY_NAMESPACE, service: 'jaeger', port: 16686 },
  flags: { namespace: SYSTEM_NAMESPACE, service: FLAGS_SERVICE, port: 8080 },
} as const satisfies Record<string, ServiceTarget>;
type ServiceKey = keyof typeof SERVICES;

const DEPLOY_NAMESPACES = [OBSERVABILITY_NAMESPACE, APP_NAMESPACE, SYSTEM_NAMESPACE];

/**
 * What kind and kubeconfig substrates share: a cluster reached through a KubeConfig context; the
 * observability stack and the shop applied with server-side apply; faults, capture and reset through the
 * API server. Subclasses supply `connect` (kind also creates the cluster and loads the shop image).
 */
export abstract class KubernetesSubstrate implements Substrate {
  abstract readonly name: 'kind' | 'kubeconfig';
  readonly faultTarget: FaultTarget;
  readonly capture: CaptureSources;
  protected readonly log: Logger;
  protected kc: KubeConfig | undefined;
  private api: HttpClusterApi | undefined;
  private readonly forwarders = new Map<ServiceKey, ServiceProxyForwarder>();
  private redisForwarder: PodPortForwarder | undefined;
  private postgresForwarder: PodPortForwarder | undefined;
  /** The PostgreSQL state once the app was first healthy (postgres-state.ts); undefined when unreadable. */
  private postgresBaseline: string | undefined;
  private serverVersion: ServerVersion | undefined;
  private chaosInstaller: ChaosMeshInstaller | undefined;

  constructor(protected readonly opts: KubernetesSubstrateOptions) {
    this.log = opts.logger.child({ component: 'kubernetes-substrate' });
    // Getters: the API exists only once the substrate is up.
    const api = (): HttpClusterApi => this.requireApi();
    const url = (key: ServiceKey): string => this.forwarderUrl(key);
    const flags = new HttpFlagsClient(async () => this.forwarderUrl('flags'));
    const chaos: ChaosApi = {
      start: (experiment, signal) => {
        if (!this.chaosInstaller) {
          return Promise.reject(
            new InvalidInputError(
              `Chaos Mesh was not installed on the ${this.name} substrate (no scenario of this run needed it)`,
            ),
          );
        }
        const engine = new ChaosMeshApi({
          objects: api(),
          logger: this.log,
          timeoutMs: this.opts.chaosTimeoutMs,
        });
        return engine.start(experiment, signal);
      },
    };
    this.faultTarget = {
      get objects() {
        return api();
      },
      flags,
      redis: new RespRedisAdmin(async () => this.redisEndpoint()),
      postgres: new PgPostgresAdmin(async () => this.postgresEndpoint()),
      chaos,
    };
    this.capture = {
      get prometheus() {
        return new PrometheusHttpClient({ baseUrl: url('prometheus') });
      },
      get objects() {
        return api();
      },
      events: async () => this.requireApi().events(),
      logs: async (w) => this.collectLogs(w),
      traces: async (w) => fetchJaegerSpans({ baseUrl: this.forwarderUrl('jaeger') }, w),
    };
  }

  /** Reaches the cluster (creating it for kind) and returns a KubeConfig whose current context is it. */
  protected abstract connect(signal: AbortSignal, progress: ProgressReporter): Promise<KubeConfig>;

  /** Called when bring-up fails after `connect`; may return a note for the error (where diagnostics went). */
  protected async diagnoseFailedUp(_err: unknown): Promise<string | undefined> {
    return undefined;
  }

  /** Substrate-specific facts for the bundle manifest (kind: versions, node image). */
  protected async extraEnvironment(): Promise<Record<string, unknown>> {
    return {};
  }

  protected requireApi(): HttpClusterApi {
    if (!this.api) throw new FiredrillError(`the ${this.name} substrate is not up`, ExitCode.SubstrateError);
    return this.api;
  }

  async up(signal: AbortSignal, progress: ProgressReporter): Promise<void> {
    if (this.api) return;
    const kc = await this.connect(signal, progress);
    try {
      await this.bringUp(kc, signal, progress);
    } catch (err) {
      const installer = this.chaosInstaller;
      this.chaosInstaller = undefined;
      if (installer && this.api) {
        await installer
          .uninstall()
          .catch((e: unknown) => this.log.warn({ err: e }, 'removing Chaos Mesh failed'));
      }
      await this.closeForwarders();
      this.api = undefined;
      if (signal.aborted) throw err;
      const note = await this.diagnoseFailedUp(err).catch((e: unknown) => {
        this.log.warn({ err: e }, 'collecting diagnostics failed');
        return undefined;
      });
      if (!note) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new FiredrillError(
        `${message}\n${note}`,
        err instanceof FiredrillError ? err.exitCode : ExitCode.SubstrateError,
        { cause: err },
      );
    }
  }

  private async bringUp(kc: KubeConfig, signal: AbortSignal, progress: ProgressReporter): Promise<void> {
    this.kc = kc;
    const transport = (this.opts.transportFor ?? ((k) => new KubeConfigTransport(k)))(kc);
    const api = new HttpClusterApi(transport);
    progress.phase('up', `connecting to ${transport.server} (context ${kc.getCurrentContext()})`);
    try {
      this.serverVersion = await api.version();
    } catch (err) {
      throw new FiredrillError(
        `cannot reach the Kubernetes API server at ${transport.server} (context ${kc.getCurrentContext()}): ${(err as Error).message}`,
        ExitCode.SubstrateError,
        { cause: err },
      );
    }
    this.api = api;
    signal.throwIfAborted();
    progress.phase('up', 'applying the observability stack and the shop (server-side apply)');
    await this.applyAll(await deploymentObjects(this.opts.deploy), signal);
    progress.phase('up', 'waiting for every Deployment to be ready (first start pulls images)');
    await waitDeploymentsReady(api, DEPLOY_NAMESPACES, this.readyTimeoutMs, signal);
    if (this.opts.chaosMesh ?? false) {
      const installer = new ChaosMeshInstaller({
        objects: api,
        logger: this.log,
        timeoutMs: this.opts.chaosTimeoutMs ?? this.readyTimeoutMs,
        createCerts: this.opts.chaosMeshCerts,
      });
      this.chaosInstaller = installer;
      await installer.install(signal, progress);
    }
    progress.phase(
      'up',
      'opening service proxies to Prometheus, Alertmanager, Jaeger and the settings service',
    );
    for (const [key, target] of Object.entries(SERVICES) as Array<[ServiceKey, ServiceTarget]>) {
      this.forwarders.set(key, await ServiceProxyForwarder.start(transport, target, this.log));
    }
    this.redisForwarder = await PodPortForwarder.start({
      namespace: APP_NAMESPACE,
      port: 6379,
      pickPod: () => this.currentPod(APP_NAMESPACE, REDIS_SERVICE),
      open: (this.opts.portForwardFor ?? clientNodePortForward)(kc),
      logger: this.log,
    });
    this.postgresForwarder = await PodPortForwarder.start({
      namespace: APP_NAMESPACE,
      port: POSTGRES_PORT,
      pickPod: () => this.currentPod(APP_NAMESPACE, POSTGRES_SERVICE),
      open: (this.opts.portForwardFor ?? clientNodePortForward)(kc),
      logger: this.log,
    });
    // A reused cluster may carry an earlier run's changes: put them back before recording the baseline.
    this.postgresBaseline = (await this.settlePostgres(undefined))?.state;
  }

  private get readyTimeoutMs(): number {
    return this.opts.readyTimeoutMs ?? 600_000;
  }

  /**
   * Applies in order. A few retries for what a just-created cluster or namespace answers while it settles
   * (no answer, 5xx, 409 on a namespace still being set up); any other refusal fails at once, naming the object.
   */
  private async applyAll(objects: readonly K8sObject[], signal: AbortSignal): Promise<void> {
    const api = this.requireApi();
    for (const obj of objects) {
      for (let attempt = 1; ; attempt++) {
        try {
          await api.apply(obj);
          break;
        } catch (err) {
          const retriable =
            err instanceof KubeApiError && (err.status === 0 || err.status >= 500 || err.status === 409);
          if (!retriable || attempt >= 5) {
            const where = `${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.kind}/${obj.metadata.name}`;
            throw new FiredrillError(
              `applying ${where} failed: ${(err as Error).message}`,
              ExitCode.SubstrateError,
              { cause: err },
            );
          }
          await abortableDelay(1000 * attempt, signal);
        }
      }
    }
  }

  /** The newest running, not-terminating pod of an app (app.kubernetes.io/name). */
  private async currentPod(namespace: string, app: string): Promise<string> {
    const pods = (await this.requireApi().list('Pod', namespace, { 'app.kubernetes.io/name': app }))
      .filter((p) => !p.metadata.deletionTimestamp && podPhaseOf(p) === 'Running')
      .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
    const pod = pods[0];
    if (!pod) throw new FiredrillError(`no running ${app} pod in ${namespace}`, ExitCode.SubstrateError);
    return pod.metadata.name;
  }

  private forwarderUrl(key: ServiceKey): string {
    const f = this.forwarders.get(key);
    if (!f) throw new FiredrillError(`the ${this.name} substrate is not up`, ExitCode.SubstrateError);
    return f.url;
  }

  private async redisEndpoint(): Promise<{ host: string; port: number; password?: string }> {
    const fwd = this.redisForwarder;
    if (!fwd) throw new FiredrillError(`the ${this.name} substrate is not up`, ExitCode.SubstrateError);
    const secret = await this.requireApi().get('Secret', APP_NAMESPACE, REDIS_SECRET.name);
    const b64 = secret?.data?.[REDIS_SECRET.key];
    return {
      host: fwd.host,
      port: fwd.port,
      password: b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined,
    };
  }

  private async postgresEndpoint(): Promise<PostgresEndpoint> {
    const fwd = this.postgresForwarder;
    if (!fwd) throw new FiredrillError(`the ${this.name} substrate is not up`, ExitCode.SubstrateError);
    const secret = await this.requireApi().get('Secret', APP_NAMESPACE, POSTGRES_SECRET.name);
    const b64 = secret?.data?.[POSTGRES_SECRET.key];
    return {
      host: fwd.host,
      port: fwd.port,
      password: b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined,
      database: POSTGRES_DATABASE,
      users: [POSTGRES_SUPERUSER, POSTGRES_APP_ROLE],
    };
  }

  /** PostgreSQL's run-time state put back and read once it settles (postgres-state.ts). */
  private settlePostgres(baseline: string | undefined): Promise<{ state: string } | undefined> {
    return settleAppPostgres(this.faultTarget.postgres, this.log, baseline);
  }

  /** Current and previous container logs of the app's pods, cut to the window. */
  private async collectLogs(w: CaptureWindow): Promise<LogRecord[]> {
    const api = this.requireApi();
    const out: LogRecord[] = [];
    for (const ns of this.opts.logNamespaces ?? [APP_NAMESPACE]) {
      const pods = await api.list('Pod', ns);
      const perPod = await Promise.all(pods.map((p) => this.podLogs(p, w)));
      for (const lines of perPod) out.push(...lines);
    }
    return out.sort((a, b) => a.ts.localeCompare(b.ts) || a.entity.localeCompare(b.entity));
  }

  private async podLogs(pod: KubeObject, w: CaptureWindow): Promise<LogRecord[]> {
    const api = this.requireApi();
    const ns = pod.metadata.namespace ?? APP_NAMESPACE;
    const entity = `${ns}/Pod/${pod.metadata.name}`;
    const out: LogRecord[] = [];
    for (const cs of containerStatusesOf(pod)) {
      const instances = (cs.restartCount ?? 0) > 0 ? [true, false] : [false];
      for (const previous of instances) {
        try {
          const text = await api.podLog(ns, pod.metadata.name, {
            container: cs.name,
            previous,
            sinceTime: w.start,
            limitBytes: this.opts.logLimitBytes ?? 8 * 1024 * 1024,
          });
          out.push(...parsePodLog(text, { entity, container: cs.name }, w));
        } catch (err) {
          // One unreadable container must not lose the others' evidence.
          this.log.warn({ err, pod: entity, container: cs.name, previous }, 'reading container log failed');
        }
      }
    }
    return out;
  }

  async reset(signal: AbortSignal, progress: ProgressReporter, asDeployed?: ManifestEdit): Promise<void> {
    const api = this.requireApi();
    progress.phase('reset', 're-applying the shop manifests, clearing settings');
    const shop = await shopObjects(this.opts.deploy);
    asDeployed?.(shop);
    await removeStatelessDeployments(api, APP_NAMESPACE, this.readyTimeoutMs, signal);
    await this.applyAll(shop, signal);
    await (this.faultTarget.flags as HttpFlagsClient)
      .clear()
      .catch((err: unknown) => this.log.warn({ err }, 'clearing settings failed'));
    // Redis' runtime settings are in no manifest: compare with what the Deployment's arguments set.
    const want = redisBaseline(
      shop.find((o) => o.kind === 'Deployment' && o.metadata.name === REDIS_SERVICE),
    );
    const got = await Promise.all([
      this.faultTarget.redis.command(['CONFIG', 'GET', 'maxmemory']),
      this.faultTarget.redis.command(['CONFIG', 'GET', 'maxmemory-policy']),
    ]).catch((err: unknown) => {
      this.log.warn({ err }, 'cannot read the redis settings');
      return undefined;
    });
    const same =
      got !== undefined &&
      (got[0] as string[] | undefined)?.[1] === want.maxmemory &&
      (got[1] as string[] | undefined)?.[1] === want.maxmemoryPolicy;
    // No run inherits the previous one's messages (queue-state.ts).
    await settleStreams(this.faultTarget.redis, this.log);
    // PostgreSQL's state is in no manifest either: put back over SQL, restarted (an empty database again)
    // only when that does not bring the bring-up state back.
    const pg = await this.settlePostgres(this.postgresBaseline);
    const pgSame = this.postgresBaseline === undefined || pg?.state === this.postgresBaseline;
    const replaced: string[] = [];
    let databaseReplaced = false;
    for (const p of await api.list('Pod', APP_NAMESPACE)) {
      // Redis or PostgreSQL when its settings drifted; any pod that restarted in an earlier run, since its
      // restart count and last termination reason would feed this run's alerts.
      const restarted = hasRestarted(p);
      const app = p.metadata.labels?.['app.kubernetes.io/name'];
      const isRedis = app === REDIS_SERVICE;
      const isPostgres = app === POSTGRES_SERVICE;
      if (restarted || (isRedis && !same) || (isPostgres && !pgSame)) {
        if (isRedis && !same) this.log.warn({ want, got }, 'redis differs from its baseline; restarting it');
        if (isPostgres && !pgSame) {
          this.log.warn(
            { baseline: this.postgresBaseline, now: pg?.state },
            'postgres differs from its baseline; restarting it',
          );
        }
        await api.delete('Pod', APP_NAMESPACE, p.metadata.name);
        replaced.push(p.metadata.name);
        if (isPostgres) databaseReplaced = true;
      }
    }
    if (databaseReplaced) {
      const jobs = await rerunSetupJobs(api, shop);
      this.log.warn({ jobs }, 'postgres was replaced (an empty database); running the setup jobs again');
    }
    progress.phase('reset', 'waiting for the shop to be ready');
    await waitPodsReplaced(api, APP_NAMESPACE, replaced, this.readyTimeoutMs, signal);
    await waitDeploymentsReady(api, [APP_NAMESPACE, SYSTEM_NAMESPACE], this.readyTimeoutMs, signal);
    await pruneReplicaSetHistory(api, APP_NAMESPACE);
    await clearEvents(api, [APP_NAMESPACE, 'default']);

    // A new Prometheus (empty TSDB) and Alertmanager: no series, alert state or notifications carried
    // over from the previous run, as on the local substrate.
    progress.phase('reset', 'fresh Prometheus and Alertmanager');
    const restartedObs: string[] = [];
    for (const app of ['prometheus', 'alertmanager']) {
      for (const p of await api.list('Pod', OBSERVABILITY_NAMESPACE, { 'app.kubernetes.io/name': app })) {
        await api.delete('Pod', OBSERVABILITY_NAMESPACE, p.metadata.name);
        restartedObs.push(p.metadata.name);
      }
    }
    await waitPodsReplaced(api, OBSERVABILITY_NAMESPACE, restartedObs, this.readyTimeoutMs, signal);
    await waitDeploymentsReady(api, [OBSERVABILITY_NAMESPACE], this.readyTimeoutMs, signal);
  }

  /** Local URLs of the in-cluster services while the substrate is up (`up`, `run --keep-up`). */
  endpoints(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of Object.keys(SERVICES) as ServiceKey[]) {
      const f = this.forwarders.get(key);
      if (f) out[key] = f.url;
    }
    if (this.redisForwarder) out.redis = `${this.redisForwarder.host}:${this.redisForwarder.port}`;
    if (this.postgresForwarder) {
      out.postgres = `${this.postgresForwarder.host}:${this.postgresForwarder.port}`;
    }
    if (this.kc) out.context = this.kc.getCurrentContext();
    return out;
  }

  async environment(): Promise<Record<string, unknown>> {
    const api = this.requireApi();
    const nodes = (await api.list('Node')).map((n) => {
      const info = asNode(n)?.status?.nodeInfo;
      return {
        name: n.metadata.name,
        kubelet: info?.kubeletVersion,
        containerRuntime: info?.containerRuntimeVersion,
        osImage: info?.osImage,
        kernel: info?.kernelVersion,
        architecture: info?.architecture,
      };
    });
    // What actually ran: each container's image and the digest the node resolved it to.
    const images: Record<string, { image: string; imageID: string }> = {};
    for (const ns of DEPLOY_NAMESPACES) {
      for (const p of await api.list('Pod', ns)) {
        for (const cs of containerStatusesOf(p)) {
          images[`${ns}/${p.metadata.name}/${cs.name}`] = { image: cs.image, imageID: cs.imageID };
        }
      }
    }
    return {
      substrate: this.name,
      firedrill: TOOL_VERSION,
      node: process.version,
      kubernetes: this.serverVersion,
      context: this.kc?.getCurrentContext(),
      nodes,
      images,
      ...(await this.extraEnvironment()),
    };
  }

  async down(): Promise<void> {
    const installer = this.chaosInstaller;
    this.chaosInstaller = undefined;
    if (installer && this.api) {
      await installer
        .uninstall()
        .catch((err: unknown) => this.log.warn({ err }, 'removing Chaos Mesh failed'));
    }
    await this.closeForwarders();
    this.api = undefined;
  }

  private async closeForwarders(): Promise<void> {
    for (const f of this.forwarders.values()) await f.close().catch(() => undefined);
    this.forwarders.clear();
    await this.redisForwarder?.close().catch(() => undefined);
    this.redisForwarder = undefined;
    await this.postgresForwarder?.close().catch(() => undefined);
    this.postgresForwarder = undefined;
  }
}
