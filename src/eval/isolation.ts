import type { CommandRunner } from '../process/command-runner.js';
import { ExecaCommandRunner } from '../process/execa-command-runner.js';
import { findTool } from '../tools/find-tool.js';
import { IP, SETPRIV, UNSHARE } from '../tools/tool-specs.js';
import { errorText } from '../util/error-text.js';
import type { AgentAccount } from './agent-account.js';
import { shellQuote } from './contract.js';

/** What `--isolate` can do on this machine (`firedrill doctor` prints it). */
export interface IsolationSupport {
  available: boolean;
  /** `root`: namespaces created as root, the agent then dropped to its account with setpriv;
   * `user-namespace`: an unprivileged user namespace maps the caller to root inside. */
  mode: 'root' | 'user-namespace' | null;
  /** The namespace's loopback can be brought up (needs `ip`); without it the agent has no network at all. */
  loopback: boolean;
  unshare: string | null;
  setpriv: string | null;
  ip: string | null;
  /** One line for people: what works, or why not and what that means. */
  detail: string;
}

const NAMESPACES = ['--net', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc'];

/** unshare's arguments before the command; the user namespace when not root. */
function unshareArgs(mode: 'root' | 'user-namespace'): string[] {
  return [
    ...(mode === 'user-namespace' ? ['--user', '--map-root-user'] : []),
    ...NAMESPACES,
    '--propagation',
    'private',
  ];
}

let cached: Promise<IsolationSupport> | undefined;

/** Probes once per process: namespaces are refused by many containers and CI runners. */
export function isolationSupport(runner?: CommandRunner): Promise<IsolationSupport> {
  if (runner) return probeIsolation(runner);
  cached ??= probeIsolation(new ExecaCommandRunner());
  return cached;
}

/**
 * Tries what an isolated attempt does, in a throw-away namespace: bring the loopback up and mount a
 * tmpfs (which is all `--isolate` needs besides running the agent).
 */
export async function probeIsolation(runner: CommandRunner): Promise<IsolationSupport> {
  const [unshare, setpriv, ip] = await Promise.all([findTool(UNSHARE), findTool(SETPRIV), findTool(IP)]);
  const base = {
    unshare: unshare?.path ?? null,
    setpriv: setpriv?.path ?? null,
    ip: ip?.path ?? null,
  };
  const unavailable = (why: string): IsolationSupport => ({
    available: false,
    mode: null,
    loopback: false,
    ...base,
    detail: `not available: ${why}; without --isolate agents share this machine's network and see its file system (and processes) as their account does`,
  });
  if (!unshare) return unavailable('unshare (util-linux) is not installed');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const mode = root ? 'root' : 'user-namespace';
  const script = `${ip ? `${shellQuote(ip.path)} link set lo up && echo lo-up; ` : ''}mount -t tmpfs -o size=4k probe /tmp && echo mounted`;
  let result;
  try {
    result = await runner.run(unshare.path, [...unshareArgs(mode), '--', '/bin/sh', '-c', script], {
      timeoutMs: 10_000,
    });
  } catch (err) {
    return unavailable(`unshare could not be run (${errorText(err)})`);
  }
  if (result.exitCode !== 0 || !result.stdout.includes('mounted')) {
    const why = (result.stderr.trim().split('\n').pop() ?? '').trim() || `exit status ${result.exitCode}`;
    return unavailable(`${root ? '' : 'unprivileged user namespaces refused: '}${why}`);
  }
  if (root && !setpriv) return unavailable('setpriv (util-linux) is missing, needed to drop root inside');
  const loopback = result.stdout.includes('lo-up');
  return {
    available: true,
    mode,
    loopback,
    ...base,
    detail:
      `available (${root ? 'as root' : 'in a user namespace'}): network namespace with ${loopback ? 'only a loopback' : 'no interface up (install iproute2 for a loopback)'}, ` +
      'private mounts (read-only snapshot, corpus hidden), private process ids',
  };
}

/**
 * The command that runs `agentCommand` isolated: unshare creates the namespaces; a small script inside
 * brings the loopback up, hides `hide` (each under an empty tmpfs), bind-mounts the snapshot read-only
 * and hands over to the agent, dropped to `account` when root. The agent is pid 1 of its namespace, so
 * everything it starts dies with it.
 */
export function isolatedCommand(
  support: IsolationSupport,
  opts: { agentCommand: string; snapshotDir: string; hide: readonly string[]; account: AgentAccount | null },
): { command: string; args: string[] } {
  if (!support.available || support.mode === null || support.unshare === null)
    throw new Error('isolatedCommand: isolation is not available');
  const drop = support.mode === 'root' && opts.account !== null;
  const script = [
    'set -e',
    'snap=$1; uid=$2; gid=$3; agent=$4; shift 4',
    support.ip ? `${shellQuote(support.ip)} link set lo up` : ':',
    'for p in "$@"; do mount -t tmpfs -o size=4k,mode=0755 hidden "$p"; done',
    'mount --bind "$snap" "$snap"',
    'mount -o remount,bind,ro,nosuid,nodev "$snap"',
    drop
      ? `exec ${shellQuote(support.setpriv ?? 'setpriv')} --reuid="$uid" --regid="$gid" --clear-groups -- /bin/sh -c "$agent"`
      : 'exec /bin/sh -c "$agent"',
  ].join('\n');
  return {
    command: support.unshare,
    args: [
      ...unshareArgs(support.mode),
      '--',
      '/bin/sh',
      '-c',
      script,
      'isolate',
      opts.snapshotDir,
      String(opts.account?.uid ?? '-'),
      String(opts.account?.gid ?? '-'),
      opts.agentCommand,
      ...opts.hide,
    ],
  };
}
