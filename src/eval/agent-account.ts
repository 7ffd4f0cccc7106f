import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { DEFAULT_AGENT_USER } from './contract.js';

/** The account an agent runs as when it is not firedrill's own. */
export interface AgentAccount {
  name: string;
  uid: number;
  gid: number;
}

/** The current process's uid, or null where there is none (Windows). */
function currentUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

/**
 * Which account agents run as. As root, firedrill drops them to `--user` (default `nobody`): root
 * ignores file modes, so a read-only snapshot stays read-only only for another account. `--user root`
 * keeps root (e.g. for `docker run`). As anyone else agents run as that same user (null), and `--user`
 * naming another account is refused: switching needs root.
 */
export function resolveAgentAccount(user: string | undefined, passwd = '/etc/passwd'): AgentAccount | null {
  const uid = currentUid();
  if (uid !== 0) {
    if (user !== undefined && user !== userInfo().username && user !== String(uid))
      throw new InvalidInputError(
        `--user ${user}: only root can run agents as another account; agents run as ${userInfo().username}`,
      );
    return null;
  }
  const wanted = user ?? DEFAULT_AGENT_USER;
  if (wanted === 'root' || wanted === '0') return null;
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch (err) {
    throw new InvalidInputError(`--user ${wanted}: cannot read ${passwd} (${(err as Error).message})`);
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4) continue;
    if (f[0] === wanted || f[2] === wanted) return { name: f[0], uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new InvalidInputError(
    `--user ${wanted}: no such account in ${passwd}; name an unprivileged account, or --user root to keep root`,
  );
}
