import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../util/wait-for.js';
import { ProcessStartError } from '../errors/process-start-error.js';
import { ManagedProcess, type OutputLine } from './managed-process.js';
import { isRunning, processesInGroup } from './proc-info.js';
import { ProcessRegistry } from './process-registry.js';

const registry = new ProcessRegistry();

afterAll(() => registry.killAllSync());

describe('ManagedProcess', () => {
  it('delivers stdout and stderr line by line and reports the exit code', async () => {
    const lines: OutputLine[] = [];
    const proc = await ManagedProcess.start({
      name: 'printer',
      command: 'sh',
      args: ['-c', 'echo one; echo two >&2; printf "three"; exit 3'],
      registry,
      onLine: (l) => lines.push(l),
    });
    expect(proc.pid).toBeGreaterThan(0);
    await expect(proc.exited).resolves.toEqual({ code: 3, signal: null });
    expect(lines.map((l) => [l.stream, l.line])).toEqual(
      expect.arrayContaining([
        ['stdout', 'one'],
        ['stderr', 'two'],
        ['stdout', 'three'],
      ]),
    );
    expect(lines.every((l) => l.source === 'printer' && typeof l.ts === 'number')).toBe(true);
    expect(proc.running).toBe(false);
    expect(registry.list().map((p) => p.pid)).not.toContain(proc.pid);
  });

  it('passes env and cwd', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'fd-mp-')));
    const proc = await ManagedProcess.start({
      name: 'env',
      command: 'sh',
      args: ['-c', 'echo "$FD_TEST_VALUE"; pwd; echo "${HOME:-unset}"'],
      env: { FD_TEST_VALUE: 'hello world', HOME: undefined },
      cwd: dir,
      registry,
    });
    await proc.exited;
    expect(proc.recentOutput().map((l) => l.line)).toEqual(['hello world', dir, 'unset']);
  });

  it('runs the child as leader of its own process group', async () => {
    const proc = await ManagedProcess.start({ name: 'sleeper', command: 'sleep', args: ['30'], registry });
    expect(processesInGroup(proc.pid).map((p) => p.pid)).toEqual([proc.pid]);
    await expect(proc.stop(2000)).resolves.toEqual({ code: null, signal: 'SIGTERM' });
    expect(isRunning(proc.pid)).toBe(false);
  });

  it('escalates to SIGKILL for a group that ignores SIGTERM, grandchildren included', async () => {
    const proc = await ManagedProcess.start({
      name: 'stubborn',
      command: 'sh',
      args: ['-c', 'trap "" TERM; sleep 60 & echo started; wait'],
      registry,
    });
    await waitFor('stubborn child started', () => proc.recentOutput().some((l) => l.line === 'started'), {
      timeoutMs: 5000,
      intervalMs: 20,
    });
    const group = processesInGroup(proc.pid).map((p) => p.pid);
    expect(group.length).toBe(2);
    const exit = await proc.stop(300);
    expect(exit.signal).toBe('SIGKILL');
    for (const pid of group) expect(isRunning(pid)).toBe(false);
  });

  it('kills what a child left in its group when it exits by itself', async () => {
    const proc = await ManagedProcess.start({
      name: 'leaver',
      command: 'sh',
      args: ['-c', 'sleep 60 & echo $!'],
      registry,
    });
    await proc.exited;
    const grandchild = Number(proc.recentOutput()[0].line);
    expect(grandchild).toBeGreaterThan(0);
    await waitFor('grandchild gone', () => !isRunning(grandchild), { timeoutMs: 3000, intervalMs: 20 });
  });

  it('rejects with ProcessStartError when the program does not exist', async () => {
    await expect(
      ManagedProcess.start({ name: 'ghost', command: '/nonexistent/firedrill-ghost', registry }),
    ).rejects.toBeInstanceOf(ProcessStartError);
    expect(registry.size).toBe(0);
  });
});
