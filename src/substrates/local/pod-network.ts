import { createServer } from 'node:net';

/**
 * Loopback addresses stand in for pod and Service IPs: Linux routes all of 127.0.0.0/8 to `lo`, so each
 * pod listens on its own address with the container port from its manifest, as in a cluster. One run
 * takes a random /16 (127.N.0.0) so parallel runs on one machine do not collide.
 */
export class PodNetwork {
  private nextPod = 1;
  private nextService = 1;
  readonly prefix: string;

  constructor(octet?: number) {
    this.prefix = `127.${octet ?? 64 + Math.floor(Math.random() * 180)}`;
  }

  /** A fresh pod IP from 127.N.1.0/24..127.N.99.0/24. */
  podIp(): string {
    const n = this.nextPod++;
    return `${this.prefix}.${1 + Math.floor(n / 250)}.${(n % 250) + 1}`;
  }

  /** A fresh "ClusterIP" from 127.N.200.0/24. */
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
