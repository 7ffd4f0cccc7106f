import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { WorkloadRef } from '../../platform/chaos-api.js';
import {
  buildAnswer,
  parseQuery,
  RCODE_NOERROR,
  RCODE_NXDOMAIN,
  RCODE_SERVFAIL,
  TYPE_A,
} from './dns-wire.js';

/** CoreDNS's kubernetes plugin answers with this TTL (seconds). */
const TTL_SECONDS = 5;

export interface ClusterDnsDeps {
  /** The ClusterIP of a Service, or undefined when there is no such Service (or it is headless). */
  clusterIp(namespace: string, name: string): string | undefined;
  /** The Deployment whose pod owns an address, for the DNS chaos rules. */
  workloadAt(ip: string): WorkloadRef | undefined;
  /** Whether a DNS chaos rule makes this caller's lookups of the Service fail (`DNSChaos` `error`). */
  lookupFails(client: WorkloadRef | undefined, service: WorkloadRef): boolean;
}

export interface DnsAnswer {
  rcode: number;
  address?: string;
}

/** `<svc>.<ns>.svc.cluster.local` → the Service; anything else is not a Service name. */
function serviceOf(name: string): WorkloadRef | undefined {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc\.cluster\.local$/.exec(
    name,
  );
  return m ? { name: m[1], namespace: m[3] } : undefined;
}

/**
 * The cluster DNS of the local substrate, as CoreDNS's kubernetes plugin is in a cluster: a real UDP
 * server on loopback that answers `<svc>.<ns>.svc.cluster.local` with the Service's ClusterIP and every
 * other name with NXDOMAIN. Pods reach it through dns-shim.ts, from their own address, so DNS chaos can
 * pick its callers by the source address as Chaos Mesh's DNS server does (and answers SERVFAIL, as it
 * does for `error`).
 */
export class ClusterDns {
  private socket: Socket | undefined;

  constructor(private readonly deps: ClusterDnsDeps) {}

  /** What the server answers a caller at `clientIp` asking for `name` (type A). */
  answer(name: string, clientIp: string): DnsAnswer {
    const service = serviceOf(name.toLowerCase().replace(/\.$/, ''));
    if (service && this.deps.lookupFails(this.deps.workloadAt(clientIp), service)) {
      return { rcode: RCODE_SERVFAIL };
    }
    const ip = service && this.deps.clusterIp(service.namespace, service.name);
    return ip ? { rcode: RCODE_NOERROR, address: ip } : { rcode: RCODE_NXDOMAIN };
  }

  /** Listens on an ephemeral UDP port of `host`; returns `host:port` for the pods' resolver. */
  async start(host = '127.0.0.1'): Promise<string> {
    const socket = createSocket('udp4');
    socket.on('message', (msg, from) => this.onQuery(socket, msg, from));
    // A malformed packet or a caller gone away is no reason to stop serving the others.
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    return `${host}:${socket.address().port}`;
  }

  private onQuery(socket: Socket, msg: Buffer, from: RemoteInfo): void {
    const q = parseQuery(msg);
    if (!q) return;
    const a = this.answer(q.name, from.address);
    // A name that exists but has no record of the asked type: NOERROR with no answer (NODATA).
    const reply =
      q.type === TYPE_A || a.rcode !== RCODE_NOERROR
        ? buildAnswer(q, a.rcode, a.address, TTL_SECONDS)
        : buildAnswer(q, RCODE_NOERROR);
    socket.send(reply, from.port, from.address);
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
