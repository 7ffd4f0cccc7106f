import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..', '..', '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(test: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (test()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return test();
}

/**
 * A parent (a test runner, a bench) that starts a group and is then stopped by a signal: the signal's default
 * action skips 'exit' handlers, and the group, detached, gets no signal of its own.
 */
describe('ChildProcessGroup', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpg-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'takes its groups down when the parent is stopped by %s',
    async (signal) => {
      const script = join(dir, 'parent.mts');
      writeFileSync(
        script,
        `import { writeFileSync } from 'node:fs';
import { ChildProcessGroup } from ${JSON.stringify(join(HERE, 'child-process-group.ts'))};
const g = new ChildProcessGroup({ name: 'sleeper', command: 'sleep', args: ['60'], env: process.env });
writeFileSync(${JSON.stringify(join(dir, 'pid'))}, String(g.pid));
setInterval(() => {}, 1000);
`,
      );
      const parent = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO, stdio: 'ignore' });
      const pidFile = join(dir, 'pid');
      const started = await until(() => {
        try {
          return readFileSync(pidFile, 'utf8').length > 0;
        } catch {
          return false;
        }
      }, 20_000);
      expect(started).toBe(true);
      const child = Number(readFileSync(pidFile, 'utf8'));
      expect(alive(child)).toBe(true);
      const exited = new Promise<NodeJS.Signals | null>((r) => parent.once('exit', (_c, s) => r(s)));
      parent.kill(signal);
      expect(await exited).toBe(signal);
      expect(await until(() => !alive(child), 5_000)).toBe(true);
    },
  );
});
