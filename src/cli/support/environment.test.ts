import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { REPO_ROOT } from '../../version.js';
import { testProgram } from '../testing/run-cli.js';
import { ENVIRONMENT, envVar, rootEnvironmentHelp, variablesOf } from './environment.js';

/** The code firedrill runs: src/ without tests, and the launcher. The table itself does not count. */
function sources(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name))
        out.push({ file: relative(REPO_ROOT, p), text: readFileSync(p, 'utf8') });
    }
  };
  walk(join(REPO_ROOT, 'src'));
  const launcher = join(REPO_ROOT, 'bin', 'firedrill.js');
  out.push({ file: 'bin/firedrill.js', text: readFileSync(launcher, 'utf8') });
  return out.filter((s) => s.file !== join('src', 'cli', 'support', 'environment.ts'));
}

/**
 * Reads of a variable: `process.env.X`, `process.env['X']`, `env.X` on an env handed in (defaulting to
 * process.env), and commander's `.env('X')` / `.env(envVar('X'))`. Comments are not reads.
 */
const READ =
  /(?:\benv\??\.([A-Z][A-Z0-9_]*)\b|\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]|\.env\((?:envVar\()?['"]([A-Z][A-Z0-9_]*)['"])/g;

function reads(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const { file, text } of sources()) {
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(READ)) {
      const name = m[1] ?? m[2] ?? m[3];
      found.set(name, [...(found.get(name) ?? []), file]);
    }
  }
  return found;
}

function commandPaths(program: Command): Map<string, Command> {
  const out = new Map<string, Command>();
  const walk = (cmd: Command, path: string): void => {
    out.set(path, cmd);
    for (const c of cmd.commands) walk(c, `${path} ${c.name()}`.trim());
  };
  for (const c of program.commands) walk(c, c.name());
  return out;
}

/** Help as printed, `after` sections included. */
function helpOf(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

describe('environment variables', () => {
  let program: Command;
  beforeAll(async () => {
    program = await testProgram();
  });

  it('lists only variables that src/ really reads', () => {
    const found = reads();
    const all = sources();
    for (const v of ENVIRONMENT) {
      const where = v.readVia
        ? all.filter((s) => s.text.includes(v.readVia as string)).map((s) => s.file)
        : (found.get(v.name) ?? []);
      expect({ name: v.name, read: where.length > 0 }).toEqual({ name: v.name, read: true });
    }
  });

  it('lists every variable src/ reads', () => {
    const listed = new Set(ENVIRONMENT.map((v) => v.name));
    const unlisted = [...reads()].filter(([name]) => !listed.has(name));
    expect(unlisted).toEqual([]);
  });

  it('names commands that exist, and options that really take the variable', () => {
    const paths = commandPaths(program);
    for (const v of ENVIRONMENT) {
      if (v.commands === 'every') continue;
      for (const path of v.commands) {
        expect({ name: v.name, path, exists: paths.has(path) }).toEqual({ name: v.name, path, exists: true });
        if (v.option) {
          const option = paths.get(path)?.options.find((o) => o.long === v.option);
          expect({ name: v.name, path, env: option?.envVar }).toEqual({ name: v.name, path, env: v.name });
        }
      }
    }
  });

  it('shows every variable a command reads in the root help, and each in its commands\u2019 help', () => {
    const root = helpOf(program);
    expect(root).toContain(rootEnvironmentHelp());
    for (const v of ENVIRONMENT.filter((x) => x.commands.length > 0)) expect(root).toContain(`  ${v.name} `);
    for (const [path, cmd] of commandPaths(program)) {
      const help = helpOf(cmd);
      for (const v of variablesOf(path)) {
        // commander wraps option descriptions to the terminal's width
        const shown = v.option
          ? help.replace(/\s+/g, ' ').includes(`env: ${v.name})`)
          : help.includes(`\n  ${v.name} `);
        expect({ path, name: v.name, shown }).toEqual({
          path,
          name: v.name,
          shown: true,
        });
      }
      if (variablesOf(path).length === 0)
        expect({ path, help: help.includes('Environment:') }).toEqual({ path, help: false });
    }
  });

  it('keeps README.md listing every variable', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    for (const v of ENVIRONMENT)
      expect({ name: v.name, listed: readme.includes(`\`${v.name}\``) }).toEqual({
        name: v.name,
        listed: true,
      });
  });

  it('refuses an unlisted name for Option.env()', () => {
    expect(envVar('FIREDRILL_SUBSTRATE')).toBe('FIREDRILL_SUBSTRATE');
    expect(() => envVar('FIREDRILL_NOPE')).toThrow(/not listed/);
  });
});
