import { constants } from 'node:os';
import { execa } from 'execa';
import { CommandNotRunError } from '../errors/command-not-run-error.js';
import { FiredrillError } from '../errors/firedrill-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { CommandResult, CommandRunner, RunOptions } from './command-runner.js';

/**
 * The real CommandRunner. A non-zero exit status is returned, not thrown: callers such as
 * `promtool check config` want the output either way.
 */
export class ExecaCommandRunner implements CommandRunner {
  async run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const result = await execa(command, [...args], {
      cwd: opts.cwd,
      // Built here so that an undefined value removes a variable, as for ManagedProcess.
      env: mergeEnv(opts.env),
      extendEnv: false,
      input: opts.input,
      stdin: opts.input === undefined ? 'ignore' : 'pipe',
      timeout: timeoutMs,
      cancelSignal: opts.signal,
      reject: false,
      stripFinalNewline: true,
      encoding: 'utf8',
      // Children of the command die with it when the timeout fires.
      forceKillAfterDelay: 2000,
    });
    const commandLine = result.escapedCommand;
    if (result.timedOut) throw new TimeoutError(commandLine, timeoutMs);
    if (result.isCanceled) {
      const reason: unknown = opts.signal?.reason;
      throw reason instanceof Error ? reason : new FiredrillError(`${commandLine} was cancelled`);
    }
    if (result.exitCode === undefined && result.signal === undefined) {
      const cause = result.cause as NodeJS.ErrnoException | undefined;
      throw new CommandNotRunError(
        commandLine,
        cause?.code,
        cause?.message ?? result.shortMessage ?? 'unknown error',
      );
    }
    return {
      command: commandLine,
      exitCode: result.exitCode ?? 128 + signalNumber(result.signal),
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
    };
  }
}

function mergeEnv(extra: Record<string, string | undefined> | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function signalNumber(signal: string | undefined): number {
  return signal ? (constants.signals[signal as NodeJS.Signals] ?? 0) : 0;
}
