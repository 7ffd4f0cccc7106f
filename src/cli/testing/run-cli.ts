import { execFile } from 'node:child_process';
import type { Command } from 'commander';
import { join } from 'node:path';
import { exitCodeFor } from '../handle-error.js';
import { buildProgram, COMMANDS } from '../program.js';
import { REPO_ROOT } from '../../version.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command tree as main.ts builds it. */
export async function testProgram(): Promise<Command> {
  // Jest's ESM loader fails concurrent first imports of one module graph ("request for 'x' is not in
  // cache"), which buildProgram's Promise.all would be; loaded one by one first, they come from cache.
  for (const load of COMMANDS) await load();
  return buildProgram();
}

/**
 * Runs `firedrill <args>` in this process: the whole command tree parses the arguments and the action
 * runs, as in main.ts, with stdout and stderr captured and the exit code main.ts would set. A process
 * per call would cost seconds of TypeScript compilation each; runProcess covers what only a real
 * process shows (main.ts itself).
 */
export async function runInProcess(args: readonly string[]): Promise<CliResult> {
  const program = await testProgram();
  const result: CliResult = { code: 0, stdout: '', stderr: '' };
  const writes = { out: process.stdout.write, err: process.stderr.write };
  const savedExitCode = process.exitCode;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    result.stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    result.stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'firedrill', ...args]);
    result.code = Number(process.exitCode ?? 0);
  } catch (err) {
    result.code = exitCodeFor(err, (line) => (result.stderr += line));
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    // a non-zero code left behind would fail the test run itself
    process.exitCode = savedExitCode;
  }
  return result;
}

/** Runs bin/firedrill.js from the TypeScript source as a child process. */
export function runProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'firedrill.js'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, FIREDRILL_FROM_SOURCE: '1', ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
