import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../../errors/exit-codes.js';
import { FiredrillError } from '../../../errors/firedrill-error.js';
import type { KubeObject } from '../../../kube/kube-object.js';
import { podTemplateOf } from '../../../kube/pod-template.js';
import type { Logger } from '../../../logging/logger.js';
import { applyOrder } from '../../../manifests/apply-order.js';
import type { K8sObject } from '../../../manifests/k8s-object.js';
import { loadManifests } from '../../../manifests/load-manifests.js';
import { MANIFESTS_DIR } from '../../../manifests/paths.js';
import type { ObjectApi } from '../../../platform/object-api.js';
import type { ProgressReporter } from '../../../platform/substrate.js';
import { waitFor } from '../../../util/wait-for.js';
import { waitDeploymentsReady } from '../../wait-healthy.js';
import { createChaosMeshCerts, type ChaosMeshCerts, type KeyPair } from './chaos-mesh-certs.js';
import { CHAOS_KINDS, CHAOS_MESH_NAMESPACE } from './chaos-resources.js';
import { FORCE_CLEAN_ANNOTATION } from './chaos-mesh-api.js';

/** manifests/chaos-mesh: the CRDs and the chart of the pinned release, rendered once (docs/kubernetes.md). */
export const CHAOS_MESH_MANIFESTS_DIR = join(MANIFESTS_DIR, 'chaos-mesh');

/** The Secrets the chart renders keys into; firedrill fills them at install (chaos-mesh-certs.ts). */
export const CHAOS_MESH_SECRETS: Record<keyof ChaosMeshCerts, string> = {
  webhook: 'chaos-mesh-webhook-certs',
  daemonServer: 'chaos-mesh-daemon-certs',
  daemonClient: 'chaos-mesh-daemon-client-certs',
};

/** Marks the namespace as installed by firedrill, which alone removes it again. */
export const INSTALLED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const INSTALLED_BY = 'firedrill';

/** Pod-template annotation with a hash of the certificates, so new ones roll the pods that mount them. */
export const CERTS_HASH_ANNOTATION = 'chaos-mesh.org/certs-hash';

const WEBHOOK_KINDS = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function pairData(p: KeyPair): Record<string, string> {
  return { 'ca.crt': b64(p.ca), 'tls.crt': b64(p.cert), 'tls.key': b64(p.key) };
}

/**
 * Chaos Mesh as applied: the committed manifests with the certificate Secrets and the webhooks' caBundle
 * filled, pod templates annotated with the certificates' hash, in creation order (CRDs first, the
 * webhooks last, once the controller that serves them is applied).
 */
export async function chaosMeshObjects(
  certs: ChaosMeshCerts,
  dir = CHAOS_MESH_MANIFESTS_DIR,
): Promise<K8sObject[]> {
  if (!existsSync(dir)) {
    // Rendering the chart needs Helm and the release's chart; docs/kubernetes.md says how.
    throw new FiredrillError(
      `Chaos Mesh's manifests are missing (${dir}); render them from the pinned chart as docs/kubernetes.md describes`,
      ExitCode.SubstrateError,
    );
  }
  const objects = await loadManifests(dir);
  for (const [pair, name] of Object.entries(CHAOS_MESH_SECRETS) as Array<[keyof ChaosMeshCerts, string]>) {
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === name);
    if (!secret) throw new FiredrillError(`${dir} has no Secret ${name} to fill with certificates`);
    secret.data = pairData(certs[pair]);
  }
  for (const w of objects.filter((o) => WEBHOOK_KINDS.has(o.kind))) {
    for (const hook of (w.webhooks ?? []) as Array<{ clientConfig?: { caBundle?: string } }>) {
      hook.clientConfig = { ...(hook.clientConfig ?? {}), caBundle: b64(certs.webhook.ca) };
    }
  }
  const hash = createHash('sha256').update(JSON.stringify(certs)).digest('hex').slice(0, 16);
  for (const o of objects) {
    const template = podTemplateOf(o as KubeObject);
    if (!template) continue;
    template.metadata ??= {};
    template.metadata.annotations = {
      ...(template.metadata.annotations ?? {}),
      [CERTS_HASH_ANNOTATION]: hash,
    };
  }
  const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === CHAOS_MESH_NAMESPACE);
  if (!ns) throw new FiredrillError(`${dir} has no Namespace ${CHAOS_MESH_NAMESPACE}`);
  ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [INSTALLED_BY_LABEL]: INSTALLED_BY };
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  const webhooks = objects.filter((o) => WEBHOOK_KINDS.has(o.kind));
  const rest = objects.filter((o) => o.kind !== 'CustomResourceDefinition' && !WEBHOOK_KINDS.has(o.kind));
  return [...crds, ...applyOrder(rest), ...webhooks];
}

export interface ChaosMeshInstallerOptions {
  objects: ObjectApi;
  logger: Logger;
  timeoutMs?: number;
  /** Seam for tests: certificates without openssl. */
  createCerts?: () => Promise<ChaosMeshCerts>;
  manifestsDir?: string;
}

/**
 * Installs Chaos Mesh into its own namespace and removes it again. An installation firedrill did not make
 * (a namespace without its label) is used as it is and never removed.
 */
export class ChaosMeshInstaller {
  private installedHere = false;

  constructor(private readonly opts: ChaosMeshInstallerOptions) {}

  private get timeoutMs(): number {
    return this.opts.timeoutMs ?? 300_000;
  }

  /** Certificates already in the cluster (a previous install), so the pods keep theirs. */
  private async existingCerts(): Promise<ChaosMeshCerts | undefined> {
    const out: Partial<ChaosMeshCerts> = {};
    for (const [pair, name] of Object.entries(CHAOS_MESH_SECRETS) as Array<[keyof ChaosMeshCerts, string]>) {
      const d = (await this.opts.objects.get('Secret', CHAOS_MESH_NAMESPACE, name))?.data ?? {};
      const get = (k: string): string | undefined =>
        d[k] ? Buffer.from(d[k], 'base64').toString('utf8') : undefined;
      const ca = get('ca.crt');
      const cert = get('tls.crt');
      const key = get('tls.key');
      if (!ca || !cert || !key) return undefined;
      out[pair] = { ca, cert, key };
    }
    return out as ChaosMeshCerts;
  }

  async install(signal: AbortSignal, progress: ProgressReporter): Promise<void> {
    const objects = this.opts.objects;
    const ns = await objects.get('Namespace', undefined, CHAOS_MESH_NAMESPACE);
    if (ns && ns.metadata.labels?.[INSTALLED_BY_LABEL] !== INSTALLED_BY) {
      progress.phase('up', `using the Chaos Mesh already installed in namespace ${CHAOS_MESH_NAMESPACE}`);
      await this.waitReady(signal);
      return;
    }
    progress.phase('up', `installing Chaos Mesh into namespace ${CHAOS_MESH_NAMESPACE}`);
    const certs = (await this.existingCerts()) ?? (await (this.opts.createCerts ?? createChaosMeshCerts)());
    const all = await chaosMeshObjects(certs, this.opts.manifestsDir);
    this.installedHere = true;
    for (const o of all) {
      signal.throwIfAborted();
      await objects.apply(o);
      if (o.kind === 'CustomResourceDefinition') await this.waitEstablished(o.metadata.name, signal);
    }
    progress.phase('up', 'waiting for the Chaos Mesh controller and daemons to be ready');
    await this.waitReady(signal);
  }

  private async waitEstablished(name: string, signal: AbortSignal): Promise<void> {
    await waitFor(
      `CustomResourceDefinition ${name} to be established`,
      async () => {
        const crd = await this.opts.objects.get('CustomResourceDefinition', undefined, name);
        const conds = (crd?.status?.conditions ?? []) as Array<{ type?: string; status?: string }>;
        return conds.some((c) => c.type === 'Established' && c.status === 'True');
      },
      { timeoutMs: 60_000, intervalMs: 250, signal },
    );
  }

  /** The controller (and DNS server) Deployments rolled out and a ready daemon on every node it runs on. */
  async waitReady(signal: AbortSignal): Promise<void> {
    try {
      await waitDeploymentsReady(this.opts.objects, [CHAOS_MESH_NAMESPACE], this.timeoutMs, signal);
      let pending = '';
      await waitFor(
        'the chaos-daemon DaemonSet to be ready',
        async () => {
          const ds = await this.opts.objects.get('DaemonSet', CHAOS_MESH_NAMESPACE, 'chaos-daemon');
          const st = (ds?.status ?? {}) as { desiredNumberScheduled?: number; numberReady?: number };
          pending = `${st.numberReady ?? 0}/${st.desiredNumberScheduled ?? 0} daemons ready`;
          return (st.desiredNumberScheduled ?? 0) > 0 && st.numberReady === st.desiredNumberScheduled;
        },
        { timeoutMs: this.timeoutMs, intervalMs: 1000, signal, pending: () => [pending] },
      );
    } catch (err) {
      if (signal.aborted) throw err;
      throw new FiredrillError(
        `Chaos Mesh is not ready: ${(err as Error).message} (images: see docs/kubernetes.md, "Chaos Mesh")`,
        ExitCode.SubstrateError,
        { cause: err },
      );
    }
  }

  /**
   * Removes what `install` applied, in the order that lets Chaos Mesh recover its experiments: leftover
   * experiments first (their finalizers need the controller), then the webhooks, the namespace and the
   * cluster-scoped objects, the CRDs last. Does nothing for an installation firedrill did not make.
   */
  async uninstall(): Promise<void> {
    const objects = this.opts.objects;
    const ns = await objects.get('Namespace', undefined, CHAOS_MESH_NAMESPACE);
    if (!ns || (!this.installedHere && ns.metadata.labels?.[INSTALLED_BY_LABEL] !== INSTALLED_BY)) return;
    for (const kind of Object.values(CHAOS_KINDS)) {
      for (const o of await objects.list(kind, CHAOS_MESH_NAMESPACE).catch(() => [])) {
        await objects.delete(kind, CHAOS_MESH_NAMESPACE, o.metadata.name);
        const gone = await this.waitGone(kind, CHAOS_MESH_NAMESPACE, o.metadata.name, 60_000);
        if (!gone) {
          this.opts.logger.warn(
            { kind, name: o.metadata.name },
            'experiment not recovered; forcing its finalizer off',
          );
          await objects.apply({
            apiVersion: o.apiVersion,
            kind,
            metadata: {
              name: o.metadata.name,
              namespace: CHAOS_MESH_NAMESPACE,
              annotations: { [FORCE_CLEAN_ANNOTATION]: 'forced' },
            },
            spec: o.spec,
          });
        }
      }
    }
    const all = await chaosMeshObjects(await placeholderCerts(), this.opts.manifestsDir);
    const clusterScoped = all.filter((o) => !o.metadata.namespace && o.kind !== 'Namespace');
    const ordered = [
      ...clusterScoped.filter((o) => WEBHOOK_KINDS.has(o.kind)),
      ...all.filter((o) => o.kind === 'Namespace'),
      ...clusterScoped.filter((o) => !WEBHOOK_KINDS.has(o.kind) && o.kind !== 'CustomResourceDefinition'),
    ];
    for (const o of ordered) await objects.delete(o.kind, o.metadata.namespace, o.metadata.name);
    await this.waitGone('Namespace', undefined, CHAOS_MESH_NAMESPACE, this.timeoutMs);
    for (const o of clusterScoped.filter((x) => x.kind === 'CustomResourceDefinition')) {
      await objects.delete(o.kind, undefined, o.metadata.name);
    }
    this.installedHere = false;
  }

  private async waitGone(
    kind: string,
    ns: string | undefined,
    name: string,
    timeoutMs: number,
  ): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!(await this.opts.objects.get(kind, ns, name))) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Names are all uninstall reads from the manifests; the certificates are never used. */
async function placeholderCerts(): Promise<ChaosMeshCerts> {
  const p: KeyPair = { ca: '', cert: '', key: '' };
  return { webhook: p, daemonServer: p, daemonClient: p };
}
