import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { delimiter, join, sep } from 'node:path';
import { MissingToolError } from '../errors/missing-tool-error.js';
import type { CommandRunner } from '../process/command-runner.js';
import { ExecaCommandRunner } from '../process/execa-command-runner.js';
import { detectPlatform, installHint } from './platform.js';
import type { PlatformFamily, ToolSpec } from './tool-spec.js';

/** A tool found on this machine. */
export interface ToolLocation {
  name: string;
  /** Absolute path of the executable. */
  path: string;
  /** As the tool reports it (e.g. `2.42.0+ds`); undefined when its version command failed or did not match. */
  version: string | undefined;
}

export interface FindToolOptions {
  runner?: CommandRunner;
  /** PATH to search; default process.env.PATH. */
  searchPath?: string;
  /** Searched after PATH: sbin and local dirs that a non-login PATH often lacks. */
  extraDirs?: readonly string[];
  isExecutable?: (path: string) => Promise<boolean>;
  versionTimeoutMs?: number;
  platform?: PlatformFamily;
}

export const EXTRA_TOOL_DIRS: readonly string[] = [
  '/usr/local/bin',
  '/usr/bin',
  '/usr/sbin',
  '/usr/local/sbin',
];

let sharedRunner: CommandRunner | undefined;
function defaultRunner(): CommandRunner {
  sharedRunner ??= new ExecaCommandRunner();
  return sharedRunner;
}

/** The directories searched, in order, without duplicates or empty entries. */
export function searchDirs(opts: FindToolOptions = {}): string[] {
  const path = opts.searchPath ?? process.env.PATH ?? '';
  const dirs = [...path.split(delimiter), ...(opts.extraDirs ?? EXTRA_TOOL_DIRS)].filter((d) => d !== '');
  return [...new Set(dirs)];
}

/** Directory patterns with `*` segments made into the directories that exist, highest version first. */
export async function expandDirs(patterns: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const pattern of patterns) {
    const segments = pattern.split(sep);
    let found = [segments[0] === '' ? sep : (segments[0] as string)];
    for (const segment of segments.slice(1)) {
      if (segment === '') continue;
      if (segment !== '*') {
        found = found.map((d) => join(d, segment));
        continue;
      }
      const next: string[] = [];
      for (const dir of found) {
        const names = await readdir(dir).catch(() => [] as string[]);
        names.sort((a, b) => compareVersions(b, a) || b.localeCompare(a));
        next.push(...names.map((n) => join(dir, n)));
      }
      found = next;
    }
    out.push(...found);
  }
  return [...new Set(out)];
}

/** Looks for the first candidate name in the search dirs; runs it for its version. Undefined if absent. */
export async function findTool(
  spec: ToolSpec,
  opts: FindToolOptions = {},
): Promise<ToolLocation | undefined> {
  const isExec = opts.isExecutable ?? isExecutableFile;
  const dirs = [...searchDirs(opts), ...(await expandDirs(spec.dirs ?? []))];
  for (const candidate of spec.candidates) {
    for (const dir of dirs) {
      const path = join(dir, candidate);
      if (await isExec(path)) {
        return { name: spec.name, path, version: await readVersion(spec, path, opts) };
      }
    }
  }
  return undefined;
}

/**
 * Like findTool but throws MissingToolError carrying the install command for this platform when the
 * tool is absent or older than `spec.minVersion`.
 */
export async function requireTool(spec: ToolSpec, opts: FindToolOptions = {}): Promise<ToolLocation> {
  const hint = installHint(spec.install, opts.platform ?? detectPlatform());
  const found = await findTool(spec, opts);
  if (!found) {
    throw new MissingToolError(
      spec.name,
      hint,
      `looked for ${spec.candidates.join(' or ')} in PATH and ${[...EXTRA_TOOL_DIRS, ...(spec.dirs ?? [])].join(', ')}`,
    );
  }
  const problem = versionProblem(spec, found);
  if (problem) throw new MissingToolError(spec.name, hint, problem);
  return found;
}

/** Why the found version is unacceptable, or undefined. An unreadable version is given the benefit of the doubt. */
export function versionProblem(spec: ToolSpec, found: ToolLocation): string | undefined {
  if (!spec.minVersion || !found.version) return undefined;
  if (compareVersions(found.version, spec.minVersion) >= 0) return undefined;
  return `${found.path} is version ${found.version}; ${spec.minVersion} or newer is needed`;
}

/** Numeric comparison of the leading dotted numbers (`2.42.0+ds` vs `2.9.1`). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): number[] => (/^v?(\d+(?:\.\d+)*)/.exec(v)?.[1] ?? '0').split('.').map(Number);
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

async function readVersion(spec: ToolSpec, path: string, opts: FindToolOptions): Promise<string | undefined> {
  try {
    const result = await (opts.runner ?? defaultRunner()).run(path, spec.versionArgs, {
      timeoutMs: opts.versionTimeoutMs ?? 10_000,
    });
    return spec.versionPattern.exec(`${result.stdout}\n${result.stderr}`)?.[1];
  } catch {
    return undefined;
  }
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
