import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockingProblems, checkAll, formatToolReport } from './doctor.js';
import { detectPlatform } from './platform.js';
import type { ToolSpec } from './tool-spec.js';
import { TOOLS } from './tool-specs.js';
import { toolRequirements } from '../substrates/registry.js';

const base = {
  purpose: 'tests',
  versionArgs: ['--version'],
  install: { debian: 'apt-get install x', macos: 'brew install x', other: 'get x' },
};
const present: ToolSpec = {
  ...base,
  name: 'present',
  candidates: ['present'],
  versionPattern: /(\d+\.\d+\.\d+)/,
};
const absent: ToolSpec = { ...present, name: 'absent', candidates: ['absent'] };
const optional: ToolSpec = { ...present, name: 'extra', candidates: ['extra-missing'] };
const old: ToolSpec = {
  ...present,
  name: 'old',
  candidates: ['present'],
  minVersion: '9.0.0',
};

describe('checkAll / formatToolReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-doctor-'));
  writeFileSync(join(dir, 'present'), '#!/bin/sh\necho "present 1.2.3"\n');
  chmodSync(join(dir, 'present'), 0o755);
  const opts = {
    searchPath: dir,
    extraDirs: [],
    platform: 'debian' as const,
    tools: [present, absent, optional, old],
    requiredBy: { present: ['local'], absent: ['kind'], old: ['local'] },
  };

  it('reports state and requiredness per substrate', async () => {
    const all = await checkAll(opts);
    expect(all.map((s) => [s.name, s.state, s.required])).toEqual([
      ['present', 'ok', true],
      ['absent', 'missing', true],
      ['extra', 'missing', false],
      ['old', 'too-old', true],
    ]);
    const local = await checkAll({ ...opts, substrate: 'local' });
    expect(blockingProblems(local).map((s) => s.name)).toEqual(['old']);
    const kind = await checkAll({ ...opts, substrate: 'kind' });
    expect(blockingProblems(kind).map((s) => s.name)).toEqual(['absent']);
  });

  it('prints one aligned line per tool with path, version and the install command when not ok', async () => {
    const lines = formatToolReport(await checkAll(opts)).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^ok +present +1\\.2\\.3 +${dir}/present +required for local$`));
    expect(lines[1]).toMatch(/^missing +absent +- +- +required for kind; install: apt-get install x$/);
    expect(lines[2]).toMatch(/^missing +extra .* optional; install: apt-get install x$/);
    expect(lines[3]).toMatch(
      /^too-old +old +1\.2\.3 .*present is version 1\.2\.3; 9\.0\.0 or newer is needed; install/,
    );
    // Columns line up: the last column starts at the same offset on every line.
    expect(new Set(lines.map((l) => l.search(/(required|optional)/)))).toHaveProperty('size', 1);
  });

  it('finds what this machine has installed for the local substrate', async () => {
    const statuses = await checkAll({ substrate: 'local', requiredBy: toolRequirements() });
    expect(statuses.map((s) => s.name)).toEqual(TOOLS.map((t) => t.name));
    expect(blockingProblems(statuses)).toEqual([]);
  });
});

describe('detectPlatform', () => {
  it('maps OS families to install hints', () => {
    expect(detectPlatform('darwin', () => false)).toBe('macos');
    expect(detectPlatform('linux', (p) => p === '/etc/debian_version')).toBe('debian');
    expect(detectPlatform('linux', () => false)).toBe('other');
    expect(detectPlatform('win32', () => true)).toBe('other');
  });
});
