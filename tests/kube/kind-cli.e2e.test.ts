import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KindCommandError } from '../../src/errors/kind-command-error.js';
import { ExecaKindCli } from '../../src/substrates/kind/execa-kind-cli.js';
import { K8S_TOOLS_INSTALL, k8sToolsDir } from '../../src/airgap/k8s-tools.js';
import { loadVersions } from '../../src/versions/versions.js';
import { dockerImagesUnavailable } from '../../src/airgap/docker-images.js';

/**
 * ExecaKindCli against the real kind CLI (v0.30.0 built from sigs.k8s.io/kind by `make k8s-tools`) and a
 * real Docker daemon: version check, listing, the errors kind gives for a cluster that does not exist,
 * and a cluster creation that fails (a node image that is present locally but is no kind node image, so
 * nothing is pulled) with --retain, followed by `export logs` and `delete`. Covers the failure path the
 * kind substrate takes when bring-up fails. Opt-in: FIREDRILL_E2E=kind-cli.
 */

const KIND_BIN = join(k8sToolsDir(), 'kind');
/** Present locally (made by scripts/make-local-images.sh) and not a kind node image. */
const NOT_A_NODE_IMAGE = 'acme/shop:0.1.0';

function skipReason(): string | undefined {
  if (process.env.FIREDRILL_E2E !== 'kind-cli') return 'FIREDRILL_E2E=kind-cli not set';
  if (!existsSync(KIND_BIN)) return `kind is not built (${KIND_BIN}); run ${K8S_TOOLS_INSTALL}`;
  return dockerImagesUnavailable([NOT_A_NODE_IMAGE]);
}

const reason = skipReason();
if (reason) console.log(`tests/kube/kind-cli.e2e.test.ts skipped: ${reason}`);
const suite = reason ? describe.skip : describe;

async function rejection(p: Promise<unknown>): Promise<KindCommandError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KindCommandError) return err;
    throw err;
  }
  throw new Error('expected the kind command to fail');
}

suite('ExecaKindCli with the real kind CLI and Docker daemon', () => {
  const kind = new ExecaKindCli({ kind: KIND_BIN });
  const name = `fd-cli-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'fd-kind-cli-'));

  afterAll(() => {
    try {
      execFileSync(KIND_BIN, ['delete', 'cluster', '--name', name], { stdio: 'ignore' });
    } catch {
      // nothing to delete
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('check reports the pinned kind release and the daemon version', async () => {
    const found = await kind.check();
    expect(`v${found.kind}`).toBe(loadVersions().tools.kind);
    expect(found.docker).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('lists clusters without the one this suite uses', async () => {
    expect(await kind.getClusters()).not.toContain(name);
  });

  it("fails on a missing cluster's kubeconfig and image load with kind's own reason", async () => {
    const kubeconfig = await rejection(kind.getKubeconfig(name));
    expect(kubeconfig.commandExitCode).toBe(1);
    expect(kubeconfig.stderr).toContain(
      `could not locate any control plane nodes for cluster named '${name}'`,
    );
    expect(kubeconfig.message).toContain(`kind get kubeconfig --name ${name} failed with exit status 1`);
    const load = await rejection(kind.loadDockerImage(NOT_A_NODE_IMAGE, name));
    expect(load.stderr).toContain(`no nodes found for cluster "${name}"`);
  });

  it('deletes a cluster that does not exist without complaint (idempotent down)', async () => {
    await expect(kind.deleteCluster(name)).resolves.toBeUndefined();
  });

  it('a failed creation is a KindCommandError; --retain keeps the node for export logs, then delete removes it', async () => {
    const config = join(dir, 'cluster.yaml');
    writeFileSync(
      config,
      'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n',
    );
    const err = await rejection(
      kind.createCluster({ name, config, image: NOT_A_NODE_IMAGE, waitSec: 30, retain: true }),
    );
    expect(err.command).toContain(`kind create cluster --name ${name} --config ${config}`);
    expect(err.stderr).toContain('ERROR: failed to create cluster');
    expect(err.message).toContain('failed to create cluster');
    expect(await kind.getClusters()).toContain(name);

    // kind exports what it can and exits 1 when the node's own logs cannot be read; the files it wrote stay.
    const logs = join(dir, 'logs');
    await kind.exportLogs(name, logs).catch((e: unknown) => {
      if (!(e instanceof KindCommandError)) throw e;
    });
    expect(readdirSync(logs)).toEqual(expect.arrayContaining(['docker-info.txt', 'kind-version.txt']));

    await kind.deleteCluster(name);
    expect(await kind.getClusters()).not.toContain(name);
  }, 120_000);
});
