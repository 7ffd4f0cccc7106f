import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DockerDaemonError } from '../../errors/docker-daemon-error.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { KindCommandError } from '../../errors/kind-command-error.js';
import { MissingToolError } from '../../errors/missing-tool-error.js';
import { REPO_ROOT } from '../../version.js';
import { ExecaKindCli } from './execa-kind-cli.js';

const FAKE_BIN = join(REPO_ROOT, 'tests/fixtures/kube/bin');
const NODE_IMAGE = `kindest/node:v1.34.0@sha256:${'7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a'}`;

describe('ExecaKindCli with fake kind and docker executables on PATH', () => {
  let dir: string;
  let log: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firedrill-kind-cli-'));
    log = join(dir, 'argv.log');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cli = (env: Record<string, string> = {}): ExecaKindCli =>
    new ExecaKindCli({
      env: { PATH: `${FAKE_BIN}${delimiter}${process.env.PATH ?? ''}`, FAKE_KIND_LOG: log, ...env },
      platform: 'debian',
    });
  /** Each invocation's argv, as recorded by the fake binaries. */
  const argv = async (): Promise<string[][]> =>
    (await readFile(log, 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t'));

  it('checks kind and the Docker daemon and reports their versions', async () => {
    expect(await cli().check()).toEqual({ kind: '0.30.0', docker: '28.3.3' });
    expect(await argv()).toEqual([
      ['kind', 'version'],
      ['docker', 'info', '--format', '{{.ServerVersion}}'],
    ]);
  });

  it('says the Docker daemon is down and how to start it', async () => {
    const err = await cli({ FAKE_DOCKER_DAEMON: 'down' })
      .check()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerDaemonError);
    expect(err).toBeInstanceOf(MissingToolError);
    expect((err as DockerDaemonError).exitCode).toBe(ExitCode.MissingPrerequisite);
    expect((err as Error).message).toMatch(
      /^the Docker daemon is not reachable \(docker info: Cannot connect/,
    );
    expect((err as Error).message).toContain('start it with: sudo systemctl start docker');
  });

  it('names a missing kind and how to install it', async () => {
    const missing = new ExecaKindCli({ kind: join(dir, 'no-such-kind'), platform: 'debian' });
    const err = await missing.check().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingToolError);
    expect((err as Error).message).toMatch(
      /^kind not found \(could not run ".*no-such-kind"\); install it with: curl -Lo kind https:\/\/kind\.sigs\.k8s\.io\/dl\/v0\.30\.0\//,
    );
  });

  it('names a missing docker', async () => {
    const err = await new ExecaKindCli({
      env: { PATH: `${FAKE_BIN}${delimiter}${process.env.PATH ?? ''}` },
      docker: join(dir, 'no-docker'),
      platform: 'macos',
    })
      .check()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingToolError);
    expect((err as MissingToolError).tool).toBe('docker');
    expect((err as Error).message).toContain('Docker Desktop');
  });

  it('creates a cluster with the exact flags: name, config, pinned image, wait, retain', async () => {
    await cli().createCluster({
      name: 'firedrill',
      config: '/repo/manifests/kind/cluster.yaml',
      image: NODE_IMAGE,
      waitSec: 180,
      retain: true,
    });
    expect(await argv()).toEqual([
      [
        'kind',
        'create',
        'cluster',
        '--name',
        'firedrill',
        '--config',
        '/repo/manifests/kind/cluster.yaml',
        '--image',
        NODE_IMAGE,
        '--wait',
        '180s',
        '--retain',
      ],
    ]);
  });

  it("turns a failed kind command into KindCommandError with kind's exit status and stderr", async () => {
    const err = await cli({ FAKE_KIND_FAIL: 'create' })
      .createCluster({
        name: 'firedrill',
        config: 'c.yaml',
        image: NODE_IMAGE,
        waitSec: 60,
        kubeconfig: '/tmp/kc',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KindCommandError);
    expect((err as KindCommandError).commandExitCode).toBe(1);
    expect((err as KindCommandError).stderr).toContain('ERROR: failed to create cluster');
    expect((err as Error).message).toMatch(
      /kind create cluster --name firedrill .* failed with exit status 1\n/,
    );
    expect((await argv())[0]?.slice(-2)).toEqual(['--kubeconfig', '/tmp/kc']);
  });

  it('lists clusters, one a line, and none when kind says so on stderr', async () => {
    expect(await cli().getClusters()).toEqual([]);
    expect(await cli({ FAKE_KIND_CLUSTERS: 'firedrill other' }).getClusters()).toEqual([
      'firedrill',
      'other',
    ]);
  });

  it('deletes a cluster only when it exists (idempotent down)', async () => {
    await cli().deleteCluster('firedrill');
    await cli({ FAKE_KIND_CLUSTERS: 'firedrill' }).deleteCluster('firedrill');
    expect(await argv()).toEqual([
      ['kind', 'get', 'clusters'],
      ['kind', 'get', 'clusters'],
      ['kind', 'delete', 'cluster', '--name', 'firedrill'],
    ]);
  });

  it('reads the kubeconfig, loads the image and exports logs with the right arguments', async () => {
    expect(await cli().getKubeconfig('firedrill')).toContain('current-context: kind-firedrill');
    await cli().loadDockerImage('acme/shop:0.1.0', 'firedrill');
    const logs = join(dir, 'logs');
    await cli().exportLogs('firedrill', logs);
    expect(await readFile(join(logs, 'kind-version.txt'), 'utf8')).toBe('v0.30.0\n');
    expect((await argv()).slice(0)).toEqual([
      ['kind', 'get', 'kubeconfig', '--name', 'firedrill'],
      ['kind', 'load', 'docker-image', 'acme/shop:0.1.0', '--name', 'firedrill'],
      ['kind', 'export', 'logs', logs, '--name', 'firedrill'],
    ]);
    const err = await cli({ FAKE_KIND_FAIL: 'load' })
      .loadDockerImage('acme/shop:0.1.0', 'firedrill')
      .catch((e: unknown) => e);
    expect((err as Error).message).toContain('image: "acme/shop:0.1.0" not present locally');
  });
});
