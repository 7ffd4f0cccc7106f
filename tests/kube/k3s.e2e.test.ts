import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { K3sContainer, type StartedK3sContainer } from '@testcontainers/k3s';
import { PullPolicy } from 'testcontainers';
import { dockerImagesUnavailable } from '../../src/airgap/docker-images.js';
import { loadVersions } from '../../src/versions/versions.js';
import { startCli } from '../e2e/run-firedrill.js';
import { bundleFailures, scenariosFor } from './e2e-support.js';

/**
 * The kubeconfig substrate against a k3s cluster in a container (@testcontainers/k3s): the path users take
 * with a cluster firedrill did not create. Opt-in with FIREDRILL_E2E=k3s; even then it skips, saying
 * why, when the Docker daemon does not answer or the k3s image is not in it. Runs
 * FIREDRILL_E2E_SCENARIOS (comma-separated ids) or three representative scenarios.
 */
const K3S_IMAGE = 'rancher/k3s:v1.34.1-k3s1';
const DEFAULT_SET = ['payment-latency', 'shipping-pod-kill', 'currency-crash-loop'];

// Testcontainers pulls a missing image and its Ryuk reaper (testcontainers/ryuk) on first use. Neither
// can be pulled without a registry, and a pull failing half an hour into beforeAll says less than a skip:
// the suite never pulls (the k3s image must be there, PullPolicy.defaultPolicy() then uses it) and runs
// without Ryuk, stopping the k3s container in afterAll. A run killed before that leaves it behind:
// docker rm -f $(docker ps -aq --filter label=org.testcontainers=true). TESTCONTAINERS_RYUK_DISABLED=false
// in the environment brings Ryuk back where its image can be pulled.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

function skipReason(): string | undefined {
  if (process.env.FIREDRILL_E2E !== 'k3s') return 'set FIREDRILL_E2E=k3s to run it';
  return dockerImagesUnavailable(
    [K3S_IMAGE],
    `docker pull ${K3S_IMAGE} where a registry is reachable (the suite never pulls it)`,
  );
}

const skipped = skipReason();
const reason = skipped ? `skipped: ${skipped}` : undefined;
// Straight to stderr: Jest hides console output of skipped suites unless --verbose.
if (reason) process.stderr.write(`tests/kube/k3s.e2e.test.ts ${reason}\n`);
const suite = reason ? describe.skip : describe;

const wanted = (process.env.FIREDRILL_E2E_SCENARIOS ?? DEFAULT_SET.join(',')).split(',').map((s) => s.trim());
const scenarios = scenariosFor('kubeconfig').filter((p) => wanted.some((id) => p.endsWith(`/${id}.yaml`)));

suite(`kubeconfig substrate on k3s (${reason ?? `${scenarios.length} scenarios`})`, () => {
  let dir = '';
  let k3s: StartedK3sContainer | undefined;
  let bundles: string[] = [];
  let code: number | null = null;
  let stderr = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fd-k3s-e2e-'));
    k3s = await new K3sContainer(K3S_IMAGE).withPullPolicy(PullPolicy.defaultPolicy()).start();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, k3s.getKubeConfig());
    // The shop image is built locally and never pushed: import it into k3s' containerd.
    execFileSync('bash', [join(process.cwd(), 'scripts/build-image.sh')], { stdio: 'inherit' });
    const tar = join(dir, 'shop.tar');
    execFileSync('docker', ['save', '-o', tar, loadVersions().images.shop.image]);
    await k3s.copyFilesToContainer([{ source: tar, target: '/tmp/shop.tar' }]);
    const imported = await k3s.exec(['ctr', '-n', 'k8s.io', 'images', 'import', '/tmp/shop.tar']);
    if (imported.exitCode !== 0)
      throw new Error(`importing the shop image into k3s failed: ${imported.output}`);

    const run = startCli(
      ['run', '--substrate', 'kubeconfig', '--context', 'default', ...scenarios, '--out', join(dir, 'out')],
      { KUBECONFIG: kubeconfig, XDG_STATE_HOME: join(dir, 'state') },
    );
    code = await run.exit;
    stderr = run.stderr();
    bundles = run.stdout().trim().split('\n').filter(Boolean);
  }, 60 * 60_000);

  afterAll(async () => {
    await k3s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('exits 0 with one bundle per scenario', () => {
    expect(scenarios.length).toBeGreaterThan(0);
    expect({ code, tail: stderr.slice(-4000) }).toMatchObject({ code: 0 });
    expect(bundles).toHaveLength(scenarios.length);
  });

  it('writes bundles that verify, manifested, with every signal captured', async () => {
    const failures: string[] = [];
    for (const b of bundles) failures.push(...(await bundleFailures(b, 'kubeconfig')));
    expect(failures).toEqual([]);
  });
});
