/** Runs short-lived commands (promtool, amtool, kubectl, kind) to completion. */
export interface CommandRunner {
  run(command: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult>;
}

export interface RunOptions {
  cwd?: string;
  /** Added over the parent's environment. */
  env?: Record<string, string | undefined>;
  /** Written to stdin. */
  input?: string;
  /** Kill the command after this long and throw TimeoutError; default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface CommandResult {
  /** The command line as run, for messages. */
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}
