import { homedir } from 'node:os';
import { join } from 'node:path';

/** Per-user state: pid files of running local substrates, so `firedrill down` can clean up after a crash. */
export function stateDir(): string {
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'firedrill');
}

export function localPidDir(): string {
  return join(stateDir(), 'local', 'pids');
}
