import { PodNetwork } from './pod-network.js';

describe('PodNetwork', () => {
  it("draws pod addresses at random from the node's /24, never one in use, and takes back released ones", () => {
    const net = new PodNetwork(77, () => 0);
    expect(net.podIp()).toBe('127.77.1.2');
    expect(net.podIp()).toBe('127.77.1.3');
    net.release('127.77.1.2');
    expect(net.podIp()).toBe('127.77.1.2');
    const spread = new PodNetwork(77);
    const ips = Array.from({ length: 100 }, () => spread.podIp());
    expect(new Set(ips).size).toBe(100);
    for (const ip of ips) expect(ip).toMatch(/^127\.77\.1\.(\d+)$/);
    // Not numbered in order: the address says nothing of how many pods came before.
    expect(ips.slice(0, 10)).not.toEqual([...ips.slice(0, 10)].sort());
  });

  it('lends the next /24 when every address of the first is held', () => {
    const net = new PodNetwork(77, () => 0.5);
    for (let i = 0; i < 253; i++) net.podIp();
    expect(net.podIp()).toMatch(/^127\.77\.2\.\d+$/);
  });
});
