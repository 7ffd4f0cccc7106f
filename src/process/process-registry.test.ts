import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../version.js';
import { waitFor } from '../util/wait-for.js';
import { killStale } from './kill-stale.js';
import { ManagedProcess } from './managed-process.js';
import { pidFilePath, readPidFiles } from './pid-files.js';
import { isRunning, processesInGroup, readProcStat, signalSafely } from './proc-info.js';
import { ProcessRegistry } from './process-registry.js';

const FIXTURE = join(REPO_ROOT, 'tests/fixtures/process/registry-parent.ts');
const spawned: number[] = [];

afterAll(() => {
  // Whatever a failed test left behind.
  for (const pid of spawned) {
    signalSafely(-pid, 'SIGKILL');
    signalSafely(pid, 'SIGKILL');
  }
});

interface Parent {
  child: ChildProcess;
  pids: number[];
  /** Every process in the children's groups at start: the children and their own children. */
  all: number[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startParent(pidDir: string): Promise<Parent> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, pidDir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  spawned.push(child.pid as number);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
  });
  const pids = (JSON.parse(first) as { pids: number[] }).pids;
  spawned.push(...pids);
  const all = pids.flatMap((pid) => processesInGroup(pid).map((p) => p.pid));
  return { child, pids, all, exit };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fd-reg-'));
}

describe('ProcessRegistry', () => {
  it('writes a pidfile per child and removes it when the child exits', async () => {
    const pidDir = join(tempDir(), 'pids');
    const registry = new ProcessRegistry({ pidDir });
    const proc = await ManagedProcess.start({ name: 'sleeper', command: 'sleep', args: ['30'], registry });
    const [entry] = readPidFiles(pidDir);
    expect(entry.record).toMatchObject({
      pid: proc.pid,
      pgid: proc.pid,
      name: 'sleeper',
      command: 'sleep',
      args: ['30'],
      ownerPid: process.pid,
      startTicks: readProcStat(proc.pid)?.startTicks,
    });
    await proc.stop(1000);
    expect(existsSync(pidFilePath(pidDir, proc.pid))).toBe(false);
    expect(registry.size).toBe(0);
  });

  it('killAllSync kills every child group at once', async () => {
    const registry = new ProcessRegistry();
    const procs = await Promise.all(
      [1, 2, 3].map((i) => ManagedProcess.start({ name: `s${i}`, command: 'sleep', args: ['30'], registry })),
    );
    registry.killAllSync();
    const exits = await Promise.all(procs.map((p) => p.exited));
    expect(exits.map((e) => e.signal)).toEqual(['SIGKILL', 'SIGKILL', 'SIGKILL']);
    expect(registry.size).toBe(0);
  });

  it('leaves no children or grandchildren when the parent gets SIGINT', async () => {
    const pidDir = join(tempDir(), 'pids');
    const parent = await startParent(pidDir);
    expect(parent.all.length).toBe(4);
    expect(readdirSync(pidDir).length).toBe(3);
    for (const pid of parent.all) expect(isRunning(pid)).toBe(true);

    parent.child.kill('SIGINT');
    await expect(parent.exit).resolves.toEqual({ code: 130, signal: null });
    for (const pid of parent.all) expect(isRunning(pid)).toBe(false);
    expect(readdirSync(pidDir)).toEqual([]);
  }, 20_000);

  it('also cleans up on SIGTERM', async () => {
    const parent = await startParent(join(tempDir(), 'pids'));
    parent.child.kill('SIGTERM');
    await expect(parent.exit).resolves.toEqual({ code: 143, signal: null });
    for (const pid of parent.all) expect(isRunning(pid)).toBe(false);
  }, 20_000);

  it('killStale cleans up after a parent that was SIGKILLed, and only then', async () => {
    const pidDir = join(tempDir(), 'pids');
    const parent = await startParent(pidDir);

    // While the run is alive its children are not stale.
    const whileAlive = await killStale(pidDir, { graceMs: 300 });
    expect(whileAlive.map((o) => o.action)).toEqual(['skipped', 'skipped', 'skipped']);
    for (const pid of parent.all) expect(isRunning(pid)).toBe(true);

    parent.child.kill('SIGKILL');
    await parent.exit;
    // Nothing could run in the parent: the children are orphans now.
    for (const pid of parent.all) expect(isRunning(pid)).toBe(true);

    const outcomes = await killStale(pidDir, { graceMs: 300 });
    expect(outcomes.map((o) => o.action)).toEqual(['killed', 'killed', 'killed']);
    expect(outcomes.find((o) => o.name === 'stubborn')?.detail).toMatch(/SIGKILL/);
    await waitFor('orphans gone', () => parent.all.every((pid) => !isRunning(pid)), {
      timeoutMs: 3000,
      intervalMs: 50,
    });
    expect(readdirSync(pidDir)).toEqual([]);
  }, 20_000);

  it('killStale never kills a process whose pid merely matches a record', async () => {
    const pidDir = join(tempDir(), 'pids');
    const registry = new ProcessRegistry();
    const bystander = await ManagedProcess.start({ name: 'b', command: 'sleep', args: ['30'], registry });
    const stat = readProcStat(bystander.pid)!;
    const record = {
      pid: bystander.pid,
      pgid: bystander.pid,
      name: 'redis',
      command: 'sleep',
      args: ['30'],
      startTicks: stat.startTicks + 1, // a different process that once had this pid
      startedAt: new Date().toISOString(),
      ownerPid: 999_999_999,
    };
    mkdirSync(pidDir, { recursive: true });
    writeFileSync(pidFilePath(pidDir, bystander.pid), JSON.stringify(record));
    writeFileSync(join(pidDir, '12.json'), '{not json');

    const outcomes = await killStale(pidDir, { graceMs: 100 });
    expect(outcomes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pid: bystander.pid, action: 'already-gone' }),
        expect.objectContaining({ action: 'unreadable' }),
      ]),
    );
    expect(isRunning(bystander.pid)).toBe(true);
    await bystander.stop(1000);
  });
});
