import { constants } from 'node:fs';
import {
  chmod,
  chown,
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { SnapshotFile, SNAPSHOT_DIR } from '../bundle/layout.js';
import { FiredrillError } from '../errors/firedrill-error.js';
import type { AgentAccount } from './agent-account.js';
import type { EvalTask } from './eval-corpus.js';
import { isOmitted, rewriteTaskText, type Modality } from './modalities.js';

/**
 * One attempt's private directory. Its name and every path in it are random or fixed words, so
 * nothing an agent can see names the bundle, the corpus or the scenario:
 *
 * ```
 * <root>/            0555, firedrill's: the agent cannot rename or replace what is in it
 *   snapshot/        the copy, files 0444 and folders 0555
 *   answer/          the agent's: answer.json goes here
 *   home/ tmp/ work/ the agent's: HOME, TMPDIR and the working directory
 * ```
 */
export interface Workspace {
  root: string;
  snapshotDir: string;
  answerDir: string;
  answerPath: string;
  homeDir: string;
  tmpDir: string;
  workDir: string;
  /** What the copy looked like, to tell afterwards whether the agent changed it. */
  fingerprint: Map<string, string>;
}

export const ANSWER_FILE = 'answer.json';

/** A folder for every attempt of one eval: others may pass through it but not list it. */
export async function createWorkRoot(parent: string): Promise<string> {
  const dir = await mkdtemp(join(parent, 'eval-'));
  await chmod(dir, 0o711);
  return dir;
}

export async function prepareWorkspace(
  workRoot: string,
  task: EvalTask,
  omit: readonly Modality[],
  account: AgentAccount | null,
): Promise<Workspace> {
  const root = await mkdtemp(join(workRoot, 't-'));
  await chmod(root, 0o755);
  const ws: Workspace = {
    root,
    snapshotDir: join(root, 'snapshot'),
    answerDir: join(root, 'answer'),
    answerPath: join(root, 'answer', ANSWER_FILE),
    homeDir: join(root, 'home'),
    tmpDir: join(root, 'tmp'),
    workDir: join(root, 'work'),
    fingerprint: new Map(),
  };
  try {
    await copySnapshot(task, ws.snapshotDir, omit);
    for (const d of [ws.answerDir, ws.homeDir, ws.tmpDir, ws.workDir]) {
      await mkdir(d, { mode: 0o700 });
      if (account) await chown(d, account.uid, account.gid);
    }
    ws.fingerprint = await fingerprint(ws.snapshotDir);
    // Closed last: an agent running as firedrill's own user could otherwise rename the snapshot away.
    await chmod(root, 0o555);
    return ws;
  } catch (err) {
    await removeWorkspace(ws);
    throw err;
  }
}

async function copySnapshot(task: EvalTask, dest: string, omit: readonly Modality[]): Promise<void> {
  const dirs = new Set<string>([dest]);
  await mkdir(dest);
  for (const rel of task.snapshotFiles) {
    if (isOmitted(rel, omit)) continue;
    const src = join(task.dir, rel);
    const to = join(dest, rel.slice(SNAPSHOT_DIR.length + 1));
    const info = await lstat(src);
    // Never follow a link out of the bundle: a symlinked "snapshot file" could be anything.
    if (!info.isFile())
      throw new FiredrillError(`${task.source}: ${rel} is not a regular file; not copied for an agent`);
    for (let d = dirname(to); d !== dest && !dirs.has(d); d = dirname(d)) dirs.add(d);
    await mkdir(dirname(to), { recursive: true });
    if (rel === SnapshotFile.task && omit.length > 0)
      await writeFile(to, rewriteTaskText(await readFile(src, 'utf8'), omit));
    else await copyFile(src, to, constants.COPYFILE_FICLONE);
    await chmod(to, 0o444);
  }
  // Only after every copy: a 0555 folder refuses new files to a non-root owner too.
  for (const d of dirs) await chmod(d, 0o555);
}

/** Path → size, mtime and mode of everything under the snapshot copy. */
async function fingerprint(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      out.set(relative(dir, d) || '.', `unreadable: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      const s = await lstat(p);
      out.set(
        relative(dir, p),
        `${s.isDirectory() ? 'd' : s.isFile() ? 'f' : 'o'} ${s.size} ${s.mtimeMs} ${s.mode}`,
      );
      if (e.isDirectory()) await walk(p);
    }
  };
  const top = await lstat(dir);
  out.set('.', `${top.isDirectory() ? 'd' : 'o'} ${top.mode}`);
  if (top.isDirectory()) await walk(dir);
  return out;
}

/** Paths of the snapshot copy the agent added, removed or changed; empty when it left it alone. */
export async function snapshotChanges(ws: Workspace): Promise<string[]> {
  let now: Map<string, string>;
  try {
    now = await fingerprint(ws.snapshotDir);
  } catch {
    return ['.'];
  }
  const changed: string[] = [];
  for (const [p, v] of now) if (ws.fingerprint.get(p) !== v) changed.push(p);
  for (const p of ws.fingerprint.keys()) if (!now.has(p)) changed.push(p);
  return [...new Set(changed)].sort();
}

/** Removes the workspace, whatever modes the agent (or the copy) left on it. */
export async function removeWorkspace(ws: Pick<Workspace, 'root'>): Promise<void> {
  try {
    await rm(ws.root, { recursive: true, force: true });
    return;
  } catch {
    // A non-root owner cannot delete inside a 0555 folder: open everything up, then try again.
  }
  await makeWritable(ws.root);
  await rm(ws.root, { recursive: true, force: true });
}

async function makeWritable(dir: string): Promise<void> {
  try {
    await chmod(dir, 0o700);
    for (const e of await readdir(dir, { withFileTypes: true }))
      if (e.isDirectory()) await makeWritable(join(dir, e.name));
  } catch {
    // What cannot be opened up is reported by the rm that follows.
  }
}
