import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../src/errors/invalid-input-error.js';
import { MissingToolError } from '../../src/errors/missing-tool-error.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createSubstrate } from '../../src/substrates/registry.js';
import { KindSubstrate } from '../../src/substrates/kind/kind-substrate.js';
import { KubeconfigSubstrate, loadKubeConfig } from '../../src/substrates/kubeconfig/kubeconfig-substrate.js';
import { REPO_ROOT } from '../../src/version.js';
import { FakeApiServer } from './fake-api-server.js';

const FAKE_BIN = join(REPO_ROOT, 'tests/fixtures/kube/bin');

describe('createSubstrate for the Kubernetes substrates', () => {
  let empty: string;
  beforeAll(async () => {
    empty = await mkdtemp(join(tmpdir(), 'firedrill-empty-path-'));
  });
  afterAll(async () => {
    await rm(empty, { recursive: true, force: true });
  });

  it('fails at once for kind without docker, naming it and how to install it', async () => {
    const err = await createSubstrate('kind', {
      logger: silentLogger(),
      toolSearch: { searchPath: empty, extraDirs: [], platform: 'debian' },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingToolError);
    expect((err as MissingToolError).tool).toBe('docker');
    expect((err as Error).message).toMatch(
      /^docker not found .*; install it with: sudo apt-get install docker\.io/,
    );
  });

  it('names kind when docker is there but kind is not', async () => {
    const onlyDocker = await mkdtemp(join(tmpdir(), 'firedrill-only-docker-'));
    try {
      await writeFile(join(onlyDocker, 'docker'), '#!/bin/sh\necho "Docker version 28.3.3, build x"\n', {
        mode: 0o755,
      });
      const err = await createSubstrate('kind', {
        logger: silentLogger(),
        toolSearch: { searchPath: onlyDocker, extraDirs: [], platform: 'macos' },
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MissingToolError);
      expect((err as Error).message).toBe(
        `kind not found (looked for kind in PATH and /usr/local/bin, /usr/bin, /usr/sbin, /usr/local/sbin); install it with: brew install kind`,
      );
    } finally {
      await rm(onlyDocker, { recursive: true, force: true });
    }
  });

  it('builds a KindSubstrate when both are found, without starting anything', async () => {
    const s = await createSubstrate('kind', {
      logger: silentLogger(),
      toolSearch: { searchPath: FAKE_BIN, extraDirs: [] },
    });
    expect(s).toBeInstanceOf(KindSubstrate);
    expect(s.name).toBe('kind');
    expect(() => s.faultTarget.objects).toThrow(/not up/);
  });

  it('builds a KubeconfigSubstrate for the context given', async () => {
    const s = await createSubstrate('kubeconfig', { logger: silentLogger(), context: 'prod-eu' });
    expect(s).toBeInstanceOf(KubeconfigSubstrate);
    expect(s.name).toBe('kubeconfig');
  });
});

describe('KubeconfigSubstrate', () => {
  let fake: FakeApiServer;
  let dir: string;
  let file: string;

  beforeEach(async () => {
    fake = await FakeApiServer.start({ autoReady: true });
    dir = await mkdtemp(join(tmpdir(), 'firedrill-kubeconfig-'));
    file = join(dir, 'config');
    // Two contexts; the current one is not the one firedrill is told to use.
    const text = fake
      .kubeconfigYaml('staging')
      .replace(
        /contexts:\n/,
        'contexts:\n  - name: elsewhere\n    context:\n      cluster: fake\n      user: tester\n',
      )
      .replace('current-context: staging', 'current-context: elsewhere');
    await writeFile(file, text);
  });

  afterEach(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('selects the context asked for and lists the contexts when it does not exist', async () => {
    expect((await loadKubeConfig({ kubeconfigPath: file, context: 'staging' })).getCurrentContext()).toBe(
      'staging',
    );
    expect((await loadKubeConfig({ kubeconfigPath: file })).getCurrentContext()).toBe('elsewhere');
    await expect(loadKubeConfig({ kubeconfigPath: file, context: 'prod' })).rejects.toThrow(
      InvalidInputError,
    );
    await expect(loadKubeConfig({ kubeconfigPath: file, context: 'prod' })).rejects.toThrow(
      'kubeconfig has no context "prod"; its contexts: elsewhere, staging',
    );
  });

  it('says so when the kubeconfig has no contexts at all', async () => {
    const bare = join(dir, 'bare');
    await writeFile(bare, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    await expect(loadKubeConfig({ kubeconfigPath: bare })).rejects.toThrow(MissingToolError);
  });

  it('deploys onto the existing cluster and only closes its connections on down', async () => {
    const s = new KubeconfigSubstrate({
      logger: silentLogger(),
      kubeconfigPath: file,
      context: 'staging',
      readyTimeoutMs: 5000,
      portForwardFor: () => async () => () => undefined,
    });
    const phases: string[] = [];
    await s.up(new AbortController().signal, { phase: (n, d) => phases.push(`${n}: ${d ?? ''}`) });
    expect(phases).toContain(`up: connecting to ${fake.url} (context staging)`);
    expect(fake.requests.filter((r) => r.method === 'PATCH').length).toBeGreaterThan(40);
    expect(s.endpoints().context).toBe('staging');
    const before = fake.requests.length;
    await s.down();
    expect(fake.requests.length).toBe(before);
    expect(() => s.capture.objects).toThrow(/kubeconfig substrate is not up/);
  });

  it('fails with the server and context named when the API server does not answer', async () => {
    await fake.close();
    const s = new KubeconfigSubstrate({ logger: silentLogger(), kubeconfigPath: file, context: 'staging' });
    await expect(s.up(new AbortController().signal, { phase: () => undefined })).rejects.toThrow(
      `cannot reach the Kubernetes API server at ${fake.url} (context staging)`,
    );
    fake = await FakeApiServer.start();
  });
});
