import type { CommandResult, CommandRunner } from '../../process/command-runner.js';
import { NODE_NETWORK } from './node-config.js';
import { BridgeNetwork, bridgeNetworkRules } from './bridge-network.js';

/** Records every command; `fail` decides which exit non-zero (and with what stderr). */
function recordingRunner(fail: (line: string, seen: number) => string | undefined = () => undefined): {
  runner: CommandRunner;
  lines: string[];
} {
  const lines: string[] = [];
  const runner: CommandRunner = {
    run: (command, args) => {
      const line = [command, ...args].join(' ');
      lines.push(line);
      const stderr = fail(line, lines.filter((l) => l === line).length);
      const result: CommandResult = {
        command: line,
        exitCode: stderr ? 1 : 0,
        stdout: '',
        stderr: stderr ?? '',
      };
      return Promise.resolve(result);
    },
  };
  return { runner, lines };
}

const n = NODE_NETWORK;

describe('BridgeNetwork', () => {
  it('creates the bridge with the gateway address, then the rules; removes them in reverse, once', async () => {
    const { runner, lines } = recordingRunner();
    const net = await BridgeNetwork.create(runner);
    expect(lines).toEqual([
      `ip link add ${n.bridge} type bridge`,
      `ip addr add ${n.gateway}/${n.prefix} dev ${n.bridge}`,
      `ip link set ${n.bridge} up`,
      ...bridgeNetworkRules().map(([chain, ...spec]) => `iptables -I ${chain} ${spec.join(' ')}`),
    ]);
    lines.length = 0;
    await net.remove();
    await net.remove();
    expect(lines).toEqual([
      ...bridgeNetworkRules()
        .reverse()
        .map(([chain, ...spec]) => `iptables -D ${chain} ${spec.join(' ')}`),
      `ip link delete ${n.bridge}`,
    ]);
  });

  it('keeps pod traffic on the host: forwarding leaving the pod CIDR and the kubelet port are dropped', () => {
    const rules = bridgeNetworkRules().map((r) => r.join(' '));
    expect(rules).toContain(`FORWARD -s ${n.cidr} ! -d ${n.cidr} -j DROP`);
    expect(rules).toContain(`INPUT -i ${n.bridge} -s ${n.cidr} -d ${n.gateway} -p tcp --dport 10250 -j DROP`);
    // Nothing opens the host to the outside, and no masquerade rule exists to carry pods beyond it.
    expect(rules.filter((r) => r.includes('ACCEPT'))).toEqual([
      `FORWARD -s ${n.cidr} -d ${n.cidr} -j ACCEPT`,
    ]);
    expect(rules.some((r) => /MASQUERADE|POSTROUTING/.test(r))).toBe(false);
  });

  it('a failed step names the command and takes back what was already done', async () => {
    const { runner, lines } = recordingRunner((line) =>
      line.startsWith('iptables -I INPUT') ? 'iptables: Permission denied' : undefined,
    );
    await expect(BridgeNetwork.create(runner)).rejects.toThrow(
      /iptables -I INPUT .* failed \(exit 1\): iptables: Permission denied/,
    );
    const after = lines.slice(lines.findIndex((l) => l.startsWith('iptables -I INPUT')) + 1);
    expect(after).toEqual([
      `iptables -D FORWARD -s ${n.cidr} -d ${n.cidr} -j ACCEPT`,
      `iptables -D FORWARD -s ${n.cidr} ! -d ${n.cidr} -j DROP`,
      `ip link delete ${n.bridge}`,
    ]);
  });

  it('cleanStale deletes the bridge and each rule as often as it was inserted', async () => {
    // The ACCEPT rule was inserted by two killed runs: deleted twice, then the third delete fails.
    const { runner, lines } = recordingRunner((line, seen) => {
      if (!line.startsWith('iptables -D')) return undefined;
      const times = line.includes('ACCEPT') ? 2 : 1;
      return seen > times ? 'iptables: Bad rule' : undefined;
    });
    await BridgeNetwork.cleanStale(runner);
    expect(lines[0]).toBe(`ip link delete ${n.bridge}`);
    const accepts = lines.filter((l) => l.includes('-j ACCEPT'));
    expect(accepts).toHaveLength(3);
    expect(lines.filter((l) => l.includes('--dport 10250'))).toHaveLength(2);
  });
});
