import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { imageReference, imageTag, loadVersions } from '../../src/versions/index.js';
import { REPO_ROOT, TOOL_VERSION } from '../../src/version.js';

const versions = loadVersions();
const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const SCRIPT = join(REPO_ROOT, 'scripts/build-image.sh');

function instruction(name: string): string[] {
  return dockerfile
    .split('\n')
    .filter((l) => l.startsWith(`${name} `))
    .map((l) => l.slice(name.length + 1).trim());
}

describe('Dockerfile', () => {
  it('defaults BASE_IMAGE to the pinned Node.js image and builds both stages from it', () => {
    expect(instruction('ARG')).toContain(`BASE_IMAGE=${versions.images.node.image}`);
    expect(instruction('FROM')).toEqual(['${BASE_IMAGE} AS build', '${BASE_IMAGE}']);
  });

  it('pins the same Node.js release the local substrate runs', () => {
    expect(imageTag(versions.images.node).split('-')[0]).toBe(versions.local.node);
  });

  it('runs the compiled shop as the non-root node user from /app', () => {
    expect(instruction('WORKDIR').at(-1)).toBe('/app');
    expect(instruction('USER')).toEqual(['node']);
    expect(JSON.parse(instruction('ENTRYPOINT')[0] as string)).toEqual([
      'node',
      'dist/apps/shop/src/main.js',
    ]);
    // The build's output layout: tsconfig.build.json compiles apps/ with rootDir "." into dist/.
    const build = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    expect(build.include).toContain('apps');
  });

  it('copies every folder the build compiles into the build stage (src/ imports agents/)', () => {
    const build = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    const copied = instruction('COPY').map((c) => c.split(/\s+/)[0]);
    for (const dir of build.include) expect(copied).toContain(dir);
  });

  it('keeps host build output and dependencies out of the build context', async () => {
    const ignored = (await readFile(join(REPO_ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', 'out']));
    for (const needed of ['src', 'apps', 'agents', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      expect(ignored).not.toContain(needed);
    }
  });
});

describe('versions.json', () => {
  it('tags the shop image with the package version', () => {
    expect(versions.images.shop.image).toBe(`acme/shop:${TOOL_VERSION}`);
  });

  it("pins Redis to the release of Debian bookworm's redis-server, which the local substrate runs", () => {
    expect(imageTag(versions.images.redis)).toBe(versions.local.redis);
  });

  it("pins PostgreSQL to the major of Debian bookworm's postgresql-15, which the local substrate runs", () => {
    // The major only: Debian's point release moves with its security updates (see the pin's note).
    expect(imageTag(versions.images.postgres)).toMatch(/^\d+$/);
    expect(imageTag(versions.images.postgres)).toBe(versions.local.postgres.split('.')[0]);
    expect(versions.images.postgres.note).toContain('postgresql-15');
  });

  it('pins the kind node image by digest, for the Kubernetes version it names', () => {
    expect(versions.images.kindNode.digest).not.toBeNull();
    expect(imageTag(versions.images.kindNode)).toBe(versions.tools.kubernetes);
  });
});

describe('scripts/build-image.sh', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firedrill-build-image-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A docker stand-in that logs its arguments; `info` fails when FAKE_DOCKER_DOWN is set. */
  async function fakeDocker(): Promise<{ bin: string; log: string }> {
    const bin = join(dir, 'docker');
    const log = join(dir, 'docker.log');
    await writeFile(
      bin,
      `#!/bin/sh\nif [ "$1" = info ] && [ -n "$FAKE_DOCKER_DOWN" ]; then exit 1; fi\nprintf '%s\\n' "$@" >> "${log}"\necho --- >> "${log}"\n`,
    );
    await chmod(bin, 0o755);
    return { bin, log };
  }

  it('exits 4 with an install hint when docker is missing', async () => {
    const r = await execa(SCRIPT, [], { reject: false, env: { DOCKER: 'firedrill-no-such-docker' } });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('firedrill-no-such-docker not found; install Docker');
  });

  it('exits 4 when the docker daemon is unreachable', async () => {
    const { bin } = await fakeDocker();
    const r = await execa(SCRIPT, [], { reject: false, env: { DOCKER: bin, FAKE_DOCKER_DOWN: '1' } });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('daemon is not reachable');
  });

  it('builds with the pinned base image and tags the pinned shop image', async () => {
    const { bin, log } = await fakeDocker();
    const r = await execa(SCRIPT, ['--no-cache'], { reject: false, env: { DOCKER: bin } });
    expect(r.stderr).toContain('building');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(versions.images.shop.image);
    const calls = (await readFile(log, 'utf8')).split('---\n').filter((c) => c.trim() !== '');
    expect(calls.map((c) => c.trim().split('\n'))).toEqual([
      ['info'],
      [
        'build',
        '--build-arg',
        `BASE_IMAGE=${imageReference(versions.images.node)}`,
        '--tag',
        versions.images.shop.image,
        '--file',
        'Dockerfile',
        '--no-cache',
        '.',
      ],
    ]);
  });

  it('refuses to build when versions.json and package.json disagree on the version', async () => {
    const { bin } = await fakeDocker();
    const repo = join(dir, 'repo');
    await mkdir(join(repo, 'scripts'), { recursive: true });
    await cp(SCRIPT, join(repo, 'scripts/build-image.sh'));
    await cp(join(REPO_ROOT, 'versions.json'), join(repo, 'versions.json'));
    await writeFile(join(repo, 'package.json'), JSON.stringify({ name: 'firedrill', version: '9.9.9' }));
    const r = await execa(join(repo, 'scripts/build-image.sh'), [], { reject: false, env: { DOCKER: bin } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("package.json's version is 9.9.9");
  });
});
