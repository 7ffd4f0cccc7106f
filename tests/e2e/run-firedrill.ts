import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/version.js';

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
  /** Resolves when a stderr progress line matches. */
  waitFor(re: RegExp, timeoutMs: number): Promise<string>;
}

/** Starts `firedrill <args>` as a user would (bin/firedrill.js), with its own pid/state directory. */
export function startCli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'firedrill.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of [...waiters]) {
      const line = err.split('\n').find((l) => w.re.test(l));
      if (line) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitFor: (re, timeoutMs) =>
      new Promise<string>((resolve, reject) => {
        const line = err.split('\n').find((l) => re.test(l));
        if (line) return resolve(line);
        const t = setTimeout(
          () => reject(new Error(`no stderr line matching ${re} within ${timeoutMs} ms:\n${err}`)),
          timeoutMs,
        );
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(t);
            resolve(l);
          },
        });
        void exit.then(() => {
          clearTimeout(t);
          reject(new Error(`firedrill exited before a line matching ${re}:\n${err}`));
        });
      }),
  };
}
