import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../errors/exit-codes.js';
import { MissingToolError } from '../errors/missing-tool-error.js';
import { compareVersions, expandDirs, findTool, requireTool } from './find-tool.js';
import type { ToolSpec } from './tool-spec.js';
import { ALERTMANAGER, POSTGRES, PROMETHEUS, REDIS_SERVER } from './tool-specs.js';

function fakeBin(dir: string, name: string, output: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho '${output}'\n`);
  chmodSync(path, 0o755);
  return path;
}

const spec = (over: Partial<ToolSpec> = {}): ToolSpec => ({
  name: 'widget',
  purpose: 'tests',
  candidates: ['widget-ng', 'widget'],
  versionArgs: ['--version'],
  versionPattern: /widget v?(\d+\.\d+\.\d+)/,
  install: { debian: 'sudo apt-get install widget', macos: 'brew install widget', other: 'get widget' },
  ...over,
});

describe('findTool', () => {
  it('finds the installed Prometheus, Alertmanager (Debian name) and Redis with versions', async () => {
    const prom = await findTool(PROMETHEUS);
    expect(prom?.path).toMatch(/\/prometheus$/);
    expect(prom?.version).toMatch(/^2\.\d+\.\d+/);
    const am = await findTool(ALERTMANAGER);
    expect(am?.path).toMatch(/\/(prometheus-)?alertmanager$/);
    expect(am?.version).toMatch(/^0\.\d+\.\d+/);
    const redis = await findTool(REDIS_SERVER);
    expect(redis?.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("finds Debian's PostgreSQL server off PATH, in /usr/lib/postgresql/<major>/bin", async () => {
    const pg = await findTool(POSTGRES, { searchPath: '', extraDirs: [] });
    expect(pg?.path).toMatch(/^\/usr\/lib\/postgresql\/\d+\/bin\/postgres$/);
    expect(pg?.version).toMatch(/^\d+\.\d+/);
  });

  it("searches a spec's own directories last, a `*` segment newest version first", async () => {
    const root = mkdtempSync(join(tmpdir(), 'fd-tool-dirs-'));
    for (const v of ['9', '15', '13']) {
      mkdirSync(join(root, v, 'bin'), { recursive: true });
      fakeBin(join(root, v, 'bin'), 'widget', `widget ${v}.0.0`);
    }
    mkdirSync(join(root, 'common'));
    expect(await expandDirs([join(root, '*', 'bin'), '/nonexistent/*/bin'])).toEqual(
      ['15', '13', '9', 'common'].map((v) => join(root, v, 'bin')),
    );
    await expect(
      findTool(spec({ dirs: [join(root, '*', 'bin')] }), { searchPath: '', extraDirs: [] }),
    ).resolves.toMatchObject({ path: join(root, '15', 'bin', 'widget'), version: '15.0.0' });
    // PATH still wins.
    const onPath = mkdtempSync(join(tmpdir(), 'fd-tool-path-'));
    const first = fakeBin(onPath, 'widget', 'widget 1.0.0');
    await expect(
      findTool(spec({ dirs: [join(root, '*', 'bin')] }), { searchPath: onPath, extraDirs: [] }),
    ).resolves.toMatchObject({ path: first });
  });

  it('prefers earlier candidates and earlier PATH entries, then the extra dirs', async () => {
    const a = mkdtempSync(join(tmpdir(), 'fd-tool-a-'));
    const b = mkdtempSync(join(tmpdir(), 'fd-tool-b-'));
    fakeBin(a, 'widget', 'widget 1.0.0');
    const ng = fakeBin(b, 'widget-ng', 'widget v2.3.4 (build x)');
    await expect(findTool(spec(), { searchPath: `${a}:${b}`, extraDirs: [] })).resolves.toEqual({
      name: 'widget',
      path: ng,
      version: '2.3.4',
    });
    const c = mkdtempSync(join(tmpdir(), 'fd-tool-c-'));
    const plain = fakeBin(c, 'widget', 'widget 3.0.0');
    await expect(findTool(spec(), { searchPath: '', extraDirs: [c] })).resolves.toMatchObject({
      path: plain,
    });
  });

  it('skips files that are not executable and reports an unreadable version as undefined', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-tool-'));
    writeFileSync(join(dir, 'widget-ng'), 'not executable');
    const path = fakeBin(dir, 'widget', 'something else entirely');
    await expect(findTool(spec(), { searchPath: dir, extraDirs: [] })).resolves.toEqual({
      name: 'widget',
      path,
      version: undefined,
    });
  });
});

describe('requireTool', () => {
  it('throws MissingToolError with the install command for the platform', async () => {
    const err = await requireTool(spec(), {
      searchPath: '/nonexistent',
      extraDirs: [],
      platform: 'macos',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingToolError);
    expect(err).toMatchObject({
      tool: 'widget',
      install: 'brew install widget',
      exitCode: ExitCode.MissingPrerequisite,
    });
    expect((err as Error).message).toMatch(/widget-ng or widget/);
  });

  it('refuses a version below minVersion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-tool-'));
    fakeBin(dir, 'widget', 'widget v18.20.4');
    const opts = { searchPath: dir, extraDirs: [], platform: 'debian' as const };
    await expect(requireTool(spec({ minVersion: '20.6.0' }), opts)).rejects.toThrow(
      /widget is version 18\.20\.4; 20\.6\.0 or newer is needed\); install it with: sudo apt-get install widget/,
    );
    await expect(requireTool(spec({ minVersion: '18.2' }), opts)).resolves.toMatchObject({
      version: '18.20.4',
    });
  });
});

describe('compareVersions', () => {
  it('compares numerically, ignoring build suffixes', () => {
    expect(compareVersions('2.42.0+ds', '2.9.1')).toBeGreaterThan(0);
    expect(compareVersions('v20.6.0', '20.6')).toBe(0);
    expect(compareVersions('0.25.0', '0.26.0')).toBeLessThan(0);
  });
});
