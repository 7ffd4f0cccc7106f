import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVersions } from '../../src/versions/versions.js';
import { startCli } from '../e2e/run-firedrill.js';
import { bundleFailures, scenariosFor } from './e2e-support.js';

/**
 * The kubeconfig substrate against a k3s cluster in a container (@testcontainers/k3s): the path users take
 * with a cluster firedrill did not create. Opt-in with FIREDRILL_E2E=k3s; even then it skips, saying
 * why, when @testcontainers/k3s is not installed (it is not a dependency: it pulls testcontainers and
 * dockerode) or the Docker daemon does not answer. Runs FIREDRILL_E2E_SCENARIOS (comma-separated ids)
 * or three representative scenarios.
 */
const K3S_IMAGE = 'rancher/k3s:v1.34.1-k3s1';
const PACKAGE = '@testcontainers/k3s';
const DEFAULT_SET = ['payment-latency', 'shipping-pod-kill', 'currency-crash-loop'];

interface StartedK3s {
  getKubeConfig(): string;
  copyFilesToContainer(files: Array<{ source: string; target: string }>): Promise<void>;
  exec(cmd: string[]): Promise<{ exitCode: number; output: string }>;
  stop(): Promise<unknown>;
}
type K3sModule = { K3sContainer: new (image: string) => { start(): Promise<StartedK3s> } };

async function loadK3s(): Promise<K3sModule | string> {
  if (process.env.FIREDRILL_E2E !== 'k3s') return 'set FIREDRILL_E2E=k3s to run it';
  let mod: K3sModule;
  try {
    const name = PACKAGE;
    mod = (await import(name)) as K3sModule;
  } catch {
    return `the package ${PACKAGE} is not installed (npm install --no-save ${PACKAGE})`;
  }
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 20_000 });
  } catch {
    return 'the Docker daemon does not answer (docker info failed)';
  }
  return mod;
}

const loaded = await loadK3s();
const reason = typeof loaded === 'string' ? `skipped: ${loaded}` : undefined;
// Straight to stderr: Jest hides console output of skipped suites unless --verbose.
if (reason) process.stderr.write(`tests/kube/k3s.e2e.test.ts ${reason}\n`);
const suite = reason ? describe.skip : describe;

const wanted = (process.env.FIREDRILL_E2E_SCENARIOS ?? DEFAULT_SET.join(',')).split(',').map((s) => s.trim());
const scenarios = scenariosFor('kubeconfig').filter((p) => wanted.some((id) => p.endsWith(`/${id}.yaml`)));

suite(`kubeconfig substrate on k3s (${reason ?? `${scenarios.length} scenarios`})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-k3s-e2e-'));
  let k3s: StartedK3s | undefined;
  let bundles: string[] = [];
  let code: number | null = null;
  let stderr = '';

  beforeAll(async () => {
    const mod = loaded as K3sModule;
    k3s = await new mod.K3sContainer(K3S_IMAGE).start();
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
    rmSync(dir, { recursive: true, force: true });
  });

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
