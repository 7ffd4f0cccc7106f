import { createServer } from 'node:net';

/** The last octets a node's /24 hands out to pods (.0 is the network, .1 the gateway, .255 broadcast). */
const POD_HOSTS = { first: 2, last: 254 };

/**
 * Loopback addresses stand in for pod and Service IPs: Linux routes all of 127.0.0.0/8 to `lo`, so each
 * pod listens on its own address with the container port from its manifest, as in a cluster. One
 * substrate takes a random /16 (127.N.0.0) so parallel runs on one machine do not collide. Pods get a
 * free address of the node's /24 (127.N.1.0/24), drawn at random and given back when the pod has stopped,
 * as a CNI's IPAM does; a counter would number the pods since the substrate started, and so tell how many
 * runs came before (the snapshot shows these addresses as 10.244.1.x, cluster-addresses.ts).
 */
export class PodNetwork {
  /** `block.host` of every address in use. */
  private readonly used = new Set<string>();
  private nextService = 1;
  readonly prefix: string;

  constructor(
    octet?: number,
    private readonly random: () => number = Math.random,
  ) {
    this.prefix = `127.${octet ?? 64 + Math.floor(Math.random() * 180)}`;
  }

  /**
   * A free pod IP of 127.N.1.0/24, at random. The kubelet runs at most 110 pods, so the /24 is never full
   * unless stopped pods are kept; then the next /24 lends one rather than failing the run.
   */
  podIp(): string {
    for (let block = 1; block < 200; block++) {
      const free: number[] = [];
      for (let k = POD_HOSTS.first; k <= POD_HOSTS.last; k++)
        if (!this.used.has(`${block}.${k}`)) free.push(k);
      if (free.length === 0) continue;
      const k = free[Math.floor(this.random() * free.length)];
      this.used.add(`${block}.${k}`);
      return `${this.prefix}.${block}.${k}`;
    }
    throw new Error(`pod network ${this.prefix}.0.0/16 has no free address left`);
  }

  /** The address of a pod that has stopped, free for the next. */
  release(ip: string): void {
    if (ip.startsWith(`${this.prefix}.`)) this.used.delete(ip.slice(this.prefix.length + 1));
  }

  /** A fresh "ClusterIP" from 127.N.200.0/24 (shown scattered over the service range). */
  serviceIp(): string {
    const n = this.nextService++;
    return `${this.prefix}.${200 + Math.floor(n / 250)}.${(n % 250) + 1}`;
  }
}

/** True when nothing listens on ip:port (so a pod may bind it). */
export function addressFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, ip, () => s.close(() => resolve(true)));
  });
}
