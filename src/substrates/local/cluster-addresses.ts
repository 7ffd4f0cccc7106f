import { createHash } from 'node:crypto';

/** kube-state-metrics' port in a cluster, where its pod serves /metrics. */
const KUBE_STATE_METRICS_PORT = 8080;

const LOOPBACK = /(?<![\d.])127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?::(\d{1,5}))?(?![\d])/g;

/**
 * How the local substrate's loopback addresses read in a cluster. The substrate keeps every packet on
 * loopback (each pod on its own 127.N.a.b, each Service on 127.N.200.b, the node and its kubelet on
 * 127.0.0.1), which no cluster shows; the snapshot presents them as a kind cluster would have them:
 * pods in the cluster CIDR 10.244.0.0/16 (127.N.a.b → 10.244.a.b, one to one), ClusterIPs scattered over
 * the service range 10.96.0.0/12 as the API server allocates them at random, the node on a VPC subnet
 * address, and kube-state-metrics (locally a port of the testbed's own process) as a pod serving on 8080.
 * The same address always reads the same within a substrate's life, so every file of a bundle agrees.
 */
export class ClusterAddresses {
  private readonly clusterIps = new Map<string, string>();
  private readonly taken = new Set<string>(['10.96.0.1', '10.96.0.10']);
  readonly nodeIp: string;
  private readonly kubeStateIp: string;

  constructor(
    /** The run's pod network prefix, `127.N`. */
    private readonly prefix: string,
    /** The port the testbed's kube-state exporter listens on, on 127.0.0.1. */
    private readonly kubeStatePort: () => number | undefined,
    /** A pod address held for kube-state-metrics, as if it ran as a pod on the node. */
    kubeStatePodIp: string,
  ) {
    const h = createHash('sha256').update(`node/${prefix}`).digest();
    this.nodeIp = `10.132.0.${2 + (h[0] % 250)}`;
    this.kubeStateIp = this.present(kubeStatePodIp);
  }

  /** The text with every loopback address of this substrate as the cluster would show it. */
  present(text: string): string {
    if (!text.includes('127.')) return text;
    return text.replace(LOOPBACK, (whole, b: string, c: string, d: string, port: string | undefined) => {
      const ip = `127.${b}.${c}.${d}`;
      if (ip === '127.0.0.1') {
        if (port !== undefined && Number(port) === this.kubeStatePort())
          return `${this.kubeStateIp}:${KUBE_STATE_METRICS_PORT}`;
        return port === undefined ? this.nodeIp : `${this.nodeIp}:${port}`;
      }
      if (`127.${b}` !== this.prefix) return whole;
      const mapped = Number(c) >= 200 ? this.clusterIp(ip) : `10.244.${c}.${d}`;
      return port === undefined ? mapped : `${mapped}:${port}`;
    });
  }

  private clusterIp(ip: string): string {
    const known = this.clusterIps.get(ip);
    if (known) return known;
    for (let attempt = 0; ; attempt++) {
      const h = createHash('sha256').update(`${this.prefix}/${ip}/${attempt}`).digest();
      // 10.96.0.0/12: the second octet 96..111, the rest anywhere but the network and broadcast ends.
      const candidate = `10.${96 + (h[0] % 16)}.${h[1]}.${1 + (h[2] % 254)}`;
      if (this.taken.has(candidate)) continue;
      this.taken.add(candidate);
      this.clusterIps.set(ip, candidate);
      return candidate;
    }
  }
}
