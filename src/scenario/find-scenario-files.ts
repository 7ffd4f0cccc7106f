import { readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ScenarioError, type ScenarioProblem } from '../errors/scenario-error.js';
import { readProblem } from './read-problem.js';

const SCENARIO_FILE = /\.ya?ml$/i;

/**
 * Expands files and directories into scenario files. A file named directly is taken whatever its
 * extension; a directory is searched recursively for `*.yaml` / `*.yml`, skipping hidden directories and
 * node_modules. A link in a directory is followed only to a file inside that directory: a link out of it
 * (to /etc/shadow, say) is reported, not read, since what a scenario file holds is echoed in problems. Paths keep the spelling the caller used; duplicates are dropped; each directory's files
 * come sorted so runs over a corpus are repeatable.
 */
export async function collectScenarioFiles(
  pathsOrDirs: readonly string[],
): Promise<{ files: string[]; problems: ScenarioProblem[] }> {
  const files: string[] = [];
  const problems: ScenarioProblem[] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    const key = resolve(f);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(f);
    }
  };

  for (const p of pathsOrDirs) {
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch (err) {
      problems.push(readProblem(p, err));
      continue;
    }
    if (!isDir) {
      add(p);
      continue;
    }
    const before = problems.length;
    const found = await walk(p, { real: await realpath(p), shown: p }, problems);
    if (found.length === 0 && problems.length === before) {
      problems.push({
        file: p,
        line: 1,
        col: 1,
        path: '',
        message: 'no *.yaml or *.yml files in this directory',
      });
    }
    found.forEach(add);
  }
  return { files, problems };
}

/** Like collectScenarioFiles, but a missing path or an empty directory throws ScenarioError (exit 2). */
export async function findScenarioFiles(pathsOrDirs: readonly string[]): Promise<string[]> {
  const { files, problems } = await collectScenarioFiles(pathsOrDirs);
  if (problems.length > 0) throw new ScenarioError(problems);
  return files;
}

async function walk(
  dir: string,
  root: { real: string; shown: string },
  problems: ScenarioProblem[],
): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith('.') && e.name !== 'node_modules')
        out.push(...(await walk(full, root, problems)));
    } else if (SCENARIO_FILE.test(e.name)) {
      // Symbolic links count when they lead to a file; links to directories are not followed (no cycles).
      if (e.isFile()) out.push(full);
      else if (e.isSymbolicLink() && (await isFile(full))) {
        if (await inside(full, root.real)) out.push(full);
        else
          problems.push({
            file: full,
            line: 1,
            col: 1,
            path: '',
            message: `a link out of ${root.shown}; not followed (name the file itself to read it)`,
          });
      }
    }
  }
  return out;
}

async function inside(link: string, root: string): Promise<boolean> {
  const rel = relative(root, await realpath(link));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
