import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner } from '../../process/command-runner.js';
import { ManagedProcess, type LineListener } from '../../process/managed-process.js';
import { ProcessRegistry } from '../../process/process-registry.js';
import { startService } from '../../substrates/local/observability/start-service.js';
import { freePort } from '../../util/free-port.js';
import { waitFor } from '../../util/wait-for.js';
import { createControlPlanePki, type ControlPlanePki } from './control-plane-pki.js';
import { httpsGet } from './https-get.js';
import { k8sToolsDir, requireK8sTools, type K8sToolPaths } from '../k8s-tools.js';
import { renderKubeconfig } from './kubeconfig-file.js';
import { newToken, renderTokenFile } from './static-tokens.js';

/** Service range of the control plane; its first address is the `kubernetes` Service (see IN_CLUSTER_SANS). */
export const SERVICE_CIDR = '10.96.0.0/12';
const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface AirgapControlPlaneOptions {
  /** Directory with etcd, kube-apiserver, kube-controller-manager; default k8sToolsDir(). */
  binDir?: string;
  /** Holds certificates, tokens, kubeconfigs and the etcd data; default a new directory under the OS tmpdir. */
  workDir?: string;
  /** Keep workDir after stop() (it is removed by default, only when this class created it). */
  keepWorkDir?: boolean;
  /**
   * Start kube-controller-manager (default true): Deployments get ReplicaSets and Pod objects, deletions
   * are garbage-collected, namespaces get their `default` ServiceAccount. There is no scheduler or kubelet,
   * so pods stay Pending.
   */
  controllerManager?: boolean;
  /** Where the three processes are tracked; default a registry of their own with pidfiles in workDir/pids. */
  registry?: ProcessRegistry;
  /** Receives every output line of the three components. */
  onLine?: LineListener;
  /** Per component; default 120 s (kube-apiserver takes ~10 s on an idle machine, far more on a busy one). */
  readyTimeoutMs?: number;
  /** Runs openssl. */
  runner?: CommandRunner;
  /**
   * Address the API server listens on and advertises; default 127.0.0.1. A node's pods reach the API
   * server through the `kubernetes` Service, whose endpoint is this address: give the pod network's
   * gateway (it must exist on the host first) so that in-cluster clients (kube-state-metrics, Prometheus'
   * discovery) work, while nothing beyond the host can connect.
   */
  bindAddress?: string;
}

/** How long each step of start() took, in milliseconds. */
export interface BringUpTimings {
  pki: number;
  etcd: number;
  apiserver: number;
  /** Until the controllers run (the `default` ServiceAccount exists); 0 without a controller manager. */
  controllerManager: number;
  total: number;
}

interface Started {
  workDir: string;
  ownsWorkDir: boolean;
  keepWorkDir: boolean;
  registry: ProcessRegistry;
  processes: ManagedProcess[];
}

/**
 * A real Kubernetes control plane on loopback for integration tests and air-gapped development: etcd,
 * kube-apiserver and kube-controller-manager built from Go modules by scripts/build-k8s-tools.sh, run as
 * child processes in their own process groups. Clients authenticate with a static bearer token of a
 * system:masters user; TLS with a CA created for this instance. No scheduler, kubelet or container
 * runtime: objects behave as in a cluster, pods never run.
 */
export class AirgapControlPlane {
  /** Admin kubeconfig (token user, CA embedded). */
  readonly kubeconfigPath: string;
  /** `https://127.0.0.1:<port>`. */
  readonly server: string;
  /** Bearer token of the admin user (system:masters). */
  readonly token: string;
  /** PEM file of the CA that signed the API server's certificate. */
  readonly caFile: string;
  readonly workDir: string;
  readonly timings: BringUpTimings;
  private readonly started: Started;
  private stopping: Promise<void> | undefined;

  private constructor(fields: {
    kubeconfigPath: string;
    server: string;
    token: string;
    caFile: string;
    timings: BringUpTimings;
    started: Started;
  }) {
    this.kubeconfigPath = fields.kubeconfigPath;
    this.server = fields.server;
    this.token = fields.token;
    this.caFile = fields.caFile;
    this.timings = fields.timings;
    this.started = fields.started;
    this.workDir = fields.started.workDir;
  }

  /** Process ids of etcd, kube-apiserver and (when started) kube-controller-manager, for RSS figures. */
  get pids(): Record<string, number> {
    return Object.fromEntries(this.started.processes.map((p) => [p.name, p.pid]));
  }

  /** Starts everything and resolves once the API server is ready (and the controllers run); stops all on failure. */
  static async start(opts: AirgapControlPlaneOptions = {}): Promise<AirgapControlPlane> {
    const tools = requireK8sTools(opts.binDir ?? k8sToolsDir());
    const ownsWorkDir = opts.workDir === undefined;
    const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'firedrill-apiserver-'));
    await mkdir(workDir, { recursive: true, mode: 0o700 });
    const started: Started = {
      workDir,
      ownsWorkDir,
      keepWorkDir: opts.keepWorkDir ?? false,
      registry: opts.registry ?? new ProcessRegistry({ pidDir: join(workDir, 'pids') }),
      processes: [],
    };
    try {
      const up = await bringUp(tools, opts, started);
      return new AirgapControlPlane({ ...up, started });
    } catch (err) {
      await shutDown(started);
      throw err;
    }
  }

  /** Stops the controller manager, the API server and etcd, in that order; removes workDir. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= shutDown(this.started);
    return this.stopping;
  }
}

interface BringUp {
  kubeconfigPath: string;
  server: string;
  token: string;
  caFile: string;
  timings: BringUpTimings;
}

async function bringUp(
  tools: K8sToolPaths,
  opts: AirgapControlPlaneOptions,
  started: Started,
): Promise<BringUp> {
  const { workDir } = started;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  const t0 = Date.now();

  const bindAddress = opts.bindAddress ?? '127.0.0.1';
  const pki = await createControlPlanePki(join(workDir, 'pki'), {
    runner: opts.runner,
    extraSans: bindAddress === '127.0.0.1' ? [] : [`IP:${bindAddress}`],
  });
  const caPem = await readFile(pki.caCert, 'utf8');
  const adminToken = newToken();
  const controllerToken = newToken();
  const tokenFile = join(workDir, 'tokens.csv');
  // The controller manager gets system:masters too: with its own RBAC user it would also need
  // --use-service-account-credentials and per-controller tokens, more parts for no gain in a test cluster.
  await writeFile(
    tokenFile,
    renderTokenFile([
      { token: adminToken, user: 'firedrill-admin', uid: 'firedrill-admin', groups: ['system:masters'] },
      {
        token: controllerToken,
        user: 'system:kube-controller-manager',
        uid: 'system:kube-controller-manager',
        groups: ['system:masters'],
      },
    ]),
    { mode: 0o600 },
  );
  const tPki = Date.now();

  const etcdPort = await startEtcd(tools, opts, started, readyTimeoutMs);
  const tEtcd = Date.now();

  const apiPort = await startApiServer(tools, opts, started, {
    pki,
    caPem,
    tokenFile,
    adminToken,
    etcdPort,
    readyTimeoutMs,
    bindAddress,
  });
  const server = `https://${bindAddress}:${apiPort}`;
  const kubeconfigPath = join(workDir, 'kubeconfig');
  await writeFile(
    kubeconfigPath,
    renderKubeconfig({ name: 'firedrill-local', server, caPem, token: adminToken }),
    {
      mode: 0o600,
    },
  );
  const tApi = Date.now();

  let tKcm = tApi;
  if (opts.controllerManager ?? true) {
    const kcmKubeconfig = join(workDir, 'kube-controller-manager.kubeconfig');
    await writeFile(
      kcmKubeconfig,
      renderKubeconfig({ name: 'kube-controller-manager', server, caPem, token: controllerToken }),
      { mode: 0o600 },
    );
    await startControllerManager(tools, opts, started, { pki, kubeconfig: kcmKubeconfig, readyTimeoutMs });
    // Healthy is not yet working: the service-account controller creating `default` proves controllers run,
    // and pods cannot be created in a namespace before its default ServiceAccount exists.
    await waitFor(
      'kube-controller-manager to create the default ServiceAccount',
      async () => {
        const res = await httpsGet(`${server}/api/v1/namespaces/default/serviceaccounts/default`, {
          ca: caPem,
          token: adminToken,
        });
        return res.status === 200;
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 200 },
    );
    tKcm = Date.now();
  }
  return {
    kubeconfigPath,
    server,
    token: adminToken,
    caFile: pki.caCert,
    timings: {
      pki: tPki - t0,
      etcd: tEtcd - tPki,
      apiserver: tApi - tEtcd,
      controllerManager: tKcm - tApi,
      total: Date.now() - t0,
    },
  };
}

async function startEtcd(
  tools: K8sToolPaths,
  opts: AirgapControlPlaneOptions,
  started: Started,
  readyTimeoutMs: number,
): Promise<number> {
  const dataDir = join(started.workDir, 'etcd');
  let peerPort = 0;
  const { process, port } = await startService({
    name: 'etcd',
    command: tools.etcd,
    prepare: async () => {
      peerPort = await freePort();
    },
    // Plain HTTP: it listens on loopback only and its one client is the API server beside it.
    args: (port) => {
      const client = `http://127.0.0.1:${port}`;
      const peer = `http://127.0.0.1:${peerPort}`;
      // prettier-ignore
      return [
        '--name', 'firedrill', '--data-dir', dataDir,
        '--listen-client-urls', client, '--advertise-client-urls', client,
        '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
        '--initial-cluster', `firedrill=${peer}`, '--initial-cluster-state', 'new',
        // A throwaway cluster: losing the last writes on a crash does not matter, fsync latency does.
        '--unsafe-no-fsync',
        '--log-level', 'warn',
      ];
    },
    ready: async (port, signal) => {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal });
      const body = (await res.json()) as { health?: string };
      return res.ok && body.health === 'true';
    },
    readyTimeoutMs,
    registry: started.registry,
    onLine: opts.onLine,
  });
  started.processes.push(process);
  return port;
}

async function startApiServer(
  tools: K8sToolPaths,
  opts: AirgapControlPlaneOptions,
  started: Started,
  ctx: {
    pki: ControlPlanePki;
    caPem: string;
    tokenFile: string;
    adminToken: string;
    etcdPort: number;
    readyTimeoutMs: number;
    bindAddress: string;
  },
): Promise<number> {
  const { pki, bindAddress } = ctx;
  const loopback = bindAddress === '127.0.0.1';
  const { process, port } = await startService({
    name: 'kube-apiserver',
    command: tools['kube-apiserver'],
    host: bindAddress,
    // prettier-ignore
    args: (port) => [
      '--etcd-servers', `http://127.0.0.1:${ctx.etcdPort}`,
      '--bind-address', bindAddress, '--advertise-address', bindAddress, '--secure-port', String(port),
      '--tls-cert-file', pki.servingCert, '--tls-private-key-file', pki.servingKey,
      '--client-ca-file', pki.caCert,
      '--token-auth-file', ctx.tokenFile,
      '--authorization-mode', 'RBAC',
      '--service-account-issuer', SERVICE_ACCOUNT_ISSUER,
      '--service-account-key-file', pki.serviceAccountPub,
      '--service-account-signing-key-file', pki.serviceAccountKey,
      '--service-cluster-ip-range', SERVICE_CIDR,
      // On loopback the `kubernetes` Service's endpoint would be 127.0.0.1, which Endpoints validation
      // refuses; elsewhere the API server keeps it pointing at itself, as in any cluster.
      '--endpoint-reconciler-type', loopback ? 'none' : 'lease',
      '--allow-privileged=true',
      // A node (stage B) registers with its IP: reaching the kubelet by hostname would ask the host's resolver.
      '--kubelet-preferred-address-types', 'InternalIP',
      '--profiling=false',
      '--cert-dir', join(started.workDir, 'apiserver'),
    ],
    ready: async (port, signal) => {
      const res = await httpsGet(`https://${bindAddress}:${port}/readyz`, {
        ca: ctx.caPem,
        token: ctx.adminToken,
        signal,
      });
      return res.status === 200;
    },
    readyTimeoutMs: ctx.readyTimeoutMs,
    registry: started.registry,
    onLine: opts.onLine,
  });
  started.processes.push(process);
  return port;
}

async function startControllerManager(
  tools: K8sToolPaths,
  opts: AirgapControlPlaneOptions,
  started: Started,
  ctx: { pki: ControlPlanePki; kubeconfig: string; readyTimeoutMs: number },
): Promise<void> {
  const { pki, kubeconfig } = ctx;
  const { process } = await startService({
    name: 'kube-controller-manager',
    command: tools['kube-controller-manager'],
    // prettier-ignore
    args: (port) => [
      '--kubeconfig', kubeconfig,
      '--authentication-kubeconfig', kubeconfig, '--authorization-kubeconfig', kubeconfig,
      '--bind-address', '127.0.0.1', '--secure-port', String(port),
      '--cert-dir', join(started.workDir, 'kube-controller-manager'),
      '--leader-elect=false',
      '--use-service-account-credentials=false',
      '--service-account-private-key-file', pki.serviceAccountKey,
      '--root-ca-file', pki.caCert,
      '--cluster-signing-cert-file', pki.caCert, '--cluster-signing-key-file', pki.caKey,
      '--profiling=false',
    ],
    // /healthz is on the always-allowed paths; the serving certificate is self-signed in --cert-dir.
    ready: async (port, signal) => {
      const res = await httpsGet(`https://127.0.0.1:${port}/healthz`, { insecure: true, signal });
      return res.status === 200;
    },
    readyTimeoutMs: ctx.readyTimeoutMs,
    registry: started.registry,
    onLine: opts.onLine,
  });
  started.processes.push(process);
}

async function shutDown(started: Started): Promise<void> {
  // Reverse start order: the controller manager and the API server must not lose etcd under them mid-write.
  // ManagedProcess.stop signals the whole process group and resolves only once the leader has exited.
  for (const p of [...started.processes].reverse()) await p.stop(10_000);
  if (started.ownsWorkDir && !started.keepWorkDir) {
    await rm(started.workDir, { recursive: true, force: true });
  }
}
