import { ClusterAddresses } from './cluster-addresses.js';

describe('ClusterAddresses', () => {
  const addresses = (): ClusterAddresses => new ClusterAddresses('127.143', () => 35269, '127.143.1.77');

  it('reads pod addresses one to one in the cluster CIDR, keeping the port', () => {
    const a = addresses();
    expect(a.present('127.143.1.33')).toBe('10.244.1.33');
    expect(a.present('instance=127.143.2.7:8080')).toBe('instance=10.244.2.7:8080');
  });

  it('scatters ClusterIPs over 10.96.0.0/12, the same address always the same, two never alike', () => {
    const a = addresses();
    const ips = ['127.143.200.1', '127.143.200.2', '127.143.200.3'].map((ip) => a.present(ip));
    for (const ip of ips) expect(ip).toMatch(/^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
    expect(new Set(ips).size).toBe(3);
    expect(ips).not.toContain('10.96.0.1');
    expect(a.present('connect ECONNREFUSED 127.143.200.2:8080')).toBe(`connect ECONNREFUSED ${ips[1]}:8080`);
  });

  it("puts the node on a VPC address and kube-state-metrics on a pod's port 8080", () => {
    const a = addresses();
    expect(a.present('127.0.0.1')).toBe(a.nodeIp);
    expect(a.nodeIp).toMatch(/^10\.132\.0\.\d+$/);
    expect(a.present('127.0.0.1:35269')).toBe('10.244.1.77:8080');
    expect(a.present('127.0.0.1:10250')).toBe(`${a.nodeIp}:10250`);
  });

  it("leaves another run's addresses, longer dotted numbers and text without addresses alone", () => {
    const a = addresses();
    expect(a.present('127.99.1.2')).toBe('127.99.1.2');
    expect(a.present('v1.127.143.1.2')).toBe('v1.127.143.1.2');
    expect(a.present('127.143.1.2345')).toBe('127.143.1.2345');
    expect(a.present('no address here')).toBe('no address here');
  });
});
