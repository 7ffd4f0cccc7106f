import type { CommandRunner } from '../../process/command-runner.js';
import { ExecaCommandRunner } from '../../process/execa-command-runner.js';
import { NODE_NETWORK } from './node-config.js';

/**
 * The host side of the node's pod network (NODE_NETWORK): the bridge with the gateway address, and the
 * iptables rules that keep pod traffic on this host. It exists before the control plane so that the API
 * server can listen on the gateway, the one host address pods reach without reaching anything else.
 */
export class BridgeNetwork {
  readonly bridge = NODE_NETWORK.bridge;
  readonly gateway = NODE_NETWORK.gateway;
  private removing: Promise<void> | undefined;

  private constructor(
    private readonly runner: CommandRunner,
    private readonly undo: Array<() => Promise<unknown>>,
  ) {}

  static async create(runner: CommandRunner = new ExecaCommandRunner()): Promise<BridgeNetwork> {
    const undo: Array<() => Promise<unknown>> = [];
    const net = new BridgeNetwork(runner, undo);
    const n = NODE_NETWORK;
    try {
      await must(runner, 'ip', ['link', 'add', n.bridge, 'type', 'bridge']);
      undo.push(() => runner.run('ip', ['link', 'delete', n.bridge]));
      await must(runner, 'ip', ['addr', 'add', `${n.gateway}/${n.prefix}`, 'dev', n.bridge]);
      await must(runner, 'ip', ['link', 'set', n.bridge, 'up']);
      for (const [chain, ...spec] of bridgeNetworkRules()) {
        await must(runner, 'iptables', ['-I', chain, ...spec]);
        undo.push(() => runner.run('iptables', ['-D', chain, ...spec]));
      }
    } catch (err) {
      await net.remove();
      throw err;
    }
    return net;
  }

  /** Takes back a network an earlier run left behind when its process was killed: the bridge and the rules. */
  static async cleanStale(runner: CommandRunner = new ExecaCommandRunner()): Promise<void> {
    await runner.run('ip', ['link', 'delete', NODE_NETWORK.bridge]);
    for (const spec of bridgeNetworkRules()) {
      // A rule inserted twice (two killed runs) needs deleting twice.
      while ((await runner.run('iptables', ['-D', ...spec])).exitCode === 0);
    }
  }

  /** Deletes the rules and the bridge, in reverse order of creation. Idempotent. */
  remove(): Promise<void> {
    this.removing ??= (async () => {
      for (const u of [...this.undo].reverse()) await u().catch(() => undefined);
    })();
    return this.removing;
  }
}

async function must(runner: CommandRunner, cmd: string, args: string[]): Promise<void> {
  const r = await runner.run(cmd, args, { timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`${r.command} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
}

/**
 * The iptables rules of the pod network, as `chain spec...`; inserted in this order, so the ACCEPT ends up
 * first. Docker sets FORWARD's policy to DROP, and a pod reaching a Service is routed (DNAT to the other
 * pod) back out of the same bridge, so pod-to-pod forwarding needs the ACCEPT; anything else from the pods
 * is dropped, and so is their access to the kubelet's API on the gateway. The API server on the gateway
 * stays reachable: that is how in-cluster clients reach it, through the `kubernetes` Service.
 */
export function bridgeNetworkRules(): [string, ...string[]][] {
  const n = NODE_NETWORK;
  return [
    ['FORWARD', '-s', n.cidr, '!', '-d', n.cidr, '-j', 'DROP'],
    ['FORWARD', '-s', n.cidr, '-d', n.cidr, '-j', 'ACCEPT'],
    // From the bridge only: the API server reaches the kubelet from the host, with the gateway as source.
    ['INPUT', '-i', n.bridge, '-s', n.cidr, '-d', n.gateway, '-p', 'tcp', '--dport', '10250', '-j', 'DROP'],
  ];
}
