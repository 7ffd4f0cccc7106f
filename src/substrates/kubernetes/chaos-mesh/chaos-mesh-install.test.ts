// The Chaos Mesh installer through the real client layer against the HTTP fake API server, with the
// small stand-in manifests of tests/fixtures/chaos-mesh, and once with the rendered chart of
// manifests/chaos-mesh (scripts/render-chaos-mesh.sh).
import { join } from 'node:path';
import { FiredrillError } from '../../../errors/firedrill-error.js';
import { HttpClusterApi } from '../../../kube/http-cluster-api.js';
import { KubeConfigTransport } from '../../../kube/kubeconfig-transport.js';
import type { KubeObject } from '../../../kube/kube-object.js';
import { silentLogger } from '../../../logging/logger.js';
import { REPO_ROOT } from '../../../version.js';
import { FakeApiServer } from '../../../../tests/kube/fake-api-server.js';
import type { ChaosMeshCerts } from './chaos-mesh-certs.js';
import { CERTS_HASH_ANNOTATION, CHAOS_MESH_MANIFESTS_DIR, ChaosMeshInstaller } from './chaos-mesh-install.js';

const FIXTURES = join(REPO_ROOT, 'tests/fixtures/chaos-mesh');
const pair = (n: string) => ({ ca: `ca-${n}`, cert: `cert-${n}`, key: `key-${n}` });
const CERTS: ChaosMeshCerts = { webhook: pair('w'), daemonServer: pair('s'), daemonClient: pair('c') };
const b64 = (s: string) => Buffer.from(s).toString('base64');
const progress = { phase: () => undefined };
const signal = new AbortController().signal;

describe('ChaosMeshInstaller', () => {
  let fake: FakeApiServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function installer(objects: KubeObject[] = [], manifestsDir = FIXTURES): Promise<ChaosMeshInstaller> {
    fake = await FakeApiServer.start({ objects, autoReady: true, establishCrds: true, chaosMesh: 'inject' });
    return new ChaosMeshInstaller({
      objects: new HttpClusterApi(new KubeConfigTransport(fake.kubeConfig())),
      logger: silentLogger(),
      timeoutMs: 2000,
      createCerts: async () => CERTS,
      manifestsDir,
    });
  }
  const written = (method: string) =>
    (fake?.requests ?? [])
      .filter((r) => r.method === method)
      .map((r) => {
        const parts = r.path.split('/');
        return `${parts[parts.length - 2]}/${parts[parts.length - 1]}`;
      });

  it('creates the CRDs first (waiting until established), the webhooks last, and waits for readiness', async () => {
    const cm = await installer();
    await cm.install(signal, progress);
    expect(written('PATCH')).toEqual([
      'customresourcedefinitions/networkchaos.chaos-mesh.org',
      'namespaces/chaos-mesh',
      'serviceaccounts/chaos-controller-manager',
      'clusterroles/chaos-mesh-chaos-controller-manager-target-namespace',
      'secrets/chaos-mesh-webhook-certs',
      'secrets/chaos-mesh-daemon-certs',
      'secrets/chaos-mesh-daemon-client-certs',
      'deployments/chaos-controller-manager',
      'daemonsets/chaos-daemon',
      'mutatingwebhookconfigurations/chaos-mesh-mutation',
    ]);
  });

  it('installs the rendered chart: every object applied, no certificate or caBundle left empty', async () => {
    const cm = await installer([], CHAOS_MESH_MANIFESTS_DIR);
    await cm.install(signal, progress);
    const store = fake?.store;
    const kinds = written('PATCH').map((w) => w.split('/')[0]);
    // the CRDs of every experiment kind firedrill creates, and the three workloads
    for (const crd of ['networkchaos', 'dnschaos', 'stresschaos', 'iochaos', 'timechaos'])
      expect(written('PATCH')).toContain(`customresourcedefinitions/${crd}.chaos-mesh.org`);
    expect(kinds.filter((k) => k === 'deployments' || k === 'daemonsets')).toHaveLength(3);
    for (const name of [
      'chaos-mesh-webhook-certs',
      'chaos-mesh-daemon-certs',
      'chaos-mesh-daemon-client-certs',
    ])
      expect(Object.values(store?.get(`Secret/chaos-mesh/${name}`)?.data ?? {})).not.toContain('');
    const hooks = [...(store?.values() ?? [])].filter((o) => /WebhookConfiguration$/.test(o.kind)) as Array<
      KubeObject & { webhooks: Array<{ clientConfig: { caBundle?: string } }> }
    >;
    expect(hooks.length).toBeGreaterThan(0);
    for (const h of hooks) for (const w of h.webhooks) expect(w.clientConfig.caBundle).toBe(b64('ca-w'));
  }, 30_000);

  it('fills the certificate Secrets and the caBundle, labels its namespace, rolls pods on new certificates', async () => {
    const cm = await installer();
    await cm.install(signal, progress);
    const store = fake?.store;
    expect(store?.get('Secret/chaos-mesh/chaos-mesh-daemon-certs')?.data).toEqual({
      'ca.crt': b64('ca-s'),
      'tls.crt': b64('cert-s'),
      'tls.key': b64('key-s'),
    });
    const hook = store?.get('MutatingWebhookConfiguration//chaos-mesh-mutation') as
      (KubeObject & { webhooks: Array<{ clientConfig: { caBundle: string } }> }) | undefined;
    expect(hook?.webhooks[0].clientConfig.caBundle).toBe(b64('ca-w'));
    expect(store?.get('Namespace//chaos-mesh')?.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'firedrill',
    });
    const template = (
      store?.get('DaemonSet/chaos-mesh/chaos-daemon')?.spec as {
        template: { metadata: { annotations: Record<string, string> } };
      }
    ).template;
    expect(template.metadata.annotations[CERTS_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('removes leftover experiments first, then webhooks, namespace and cluster-scoped objects, CRDs last', async () => {
    const cm = await installer();
    await cm.install(signal, progress);
    fake?.store.set('NetworkChaos/chaos-mesh/left-over', {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'NetworkChaos',
      metadata: { name: 'left-over', namespace: 'chaos-mesh' },
      spec: {},
    });
    const before = fake?.requests.length ?? 0;
    await cm.uninstall();
    const deletes = (fake?.requests ?? [])
      .slice(before)
      .filter((r) => r.method === 'DELETE')
      .map((r) => r.path.split('/').slice(-2).join('/'));
    expect(deletes).toEqual([
      'networkchaos/left-over',
      'mutatingwebhookconfigurations/chaos-mesh-mutation',
      'namespaces/chaos-mesh',
      'clusterroles/chaos-mesh-chaos-controller-manager-target-namespace',
      'customresourcedefinitions/networkchaos.chaos-mesh.org',
    ]);
  });

  it('uses a Chaos Mesh someone else installed as it is, and never removes it', async () => {
    const cm = await installer([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'chaos-mesh' } }]);
    // Its readiness is still checked: here nothing runs in it, so it is refused as not ready.
    await expect(cm.install(signal, progress)).rejects.toThrow(/^Chaos Mesh is not ready: /);
    await cm.uninstall();
    expect(written('PATCH')).toEqual([]);
    expect(written('DELETE')).toEqual([]);
  });

  it('says what to do when the rendered manifests are missing', async () => {
    const cm = await installer([], join(REPO_ROOT, 'manifests/no-such-dir'));
    const err = await cm.install(signal, progress).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FiredrillError);
    expect((err as Error).message).toMatch(
      /^Chaos Mesh's manifests are missing \(.*no-such-dir\); render them/,
    );
  });
});
