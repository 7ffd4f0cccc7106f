import { serviceOfName } from '../../kube/service-address.js';
import type { DnsExperiment, NetworkExperiment, WorkloadRef } from '../../platform/chaos-api.js';

/**
 * The local substrate's stand-in for Chaos Mesh's network and DNS chaos. Every call between pods passes
 * a Service proxy, and each pod calls from its own loopback address, so a proxy knows the calling and the
 * called workload of every connection; the rules here tell it what to do with the bytes, chunk by chunk,
 * as tc netem and iptables do with a pod's packets. Rules apply to connections already open when they are
 * added, as packet rules do; DNS rules only to connections opened after, since a lookup happens once per
 * connection.
 */

/** Correlated uniform numbers in [0, 1), as netem's get_crandom: next = (1 - ρ)·u + ρ·last. */
export class CorrelatedRandom {
  private last: number;

  constructor(
    private readonly correlation: number,
    private readonly random: () => number = Math.random,
  ) {
    this.last = random();
  }

  next(): number {
    const u = this.random();
    const rho = Math.min(1, Math.max(0, this.correlation / 100));
    this.last = (1 - rho) * u + rho * this.last;
    return this.last;
  }
}

/** A token bucket shared by every connection a bandwidth rule covers, as tc tbf shapes an interface. */
export class TokenBucket {
  private tokens: number;
  private stamp: number;

  constructor(
    readonly bytesPerSecond: number,
    readonly bufferBytes: number,
    private readonly now: () => number = Date.now,
    /** Bytes that may wait for tokens (tc tbf's limit); beyond it a chunk is refused. */
    readonly limitBytes = Number.POSITIVE_INFINITY,
  ) {
    this.tokens = bufferBytes;
    this.stamp = now();
  }

  /**
   * How long until `bytes` have passed at the rate; takes the tokens, going into debt for a chunk larger
   * than what is saved up, so the chunks after it wait their turn. `undefined` when the queue is full:
   * tbf drops the packet, and the chunk is refused without taking tokens.
   */
  take(bytes: number): number | undefined {
    const t = this.now();
    this.tokens = Math.min(this.bufferBytes, this.tokens + ((t - this.stamp) / 1000) * this.bytesPerSecond);
    this.stamp = t;
    if (this.tokens - bytes < -this.limitBytes) return undefined;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.bytesPerSecond) * 1000;
  }
}

interface NetworkRule {
  id: number;
  kind: 'network';
  experiment: NetworkExperiment;
  random: CorrelatedRandom;
  bucket?: TokenBucket;
}

interface DnsRule {
  id: number;
  kind: 'dns';
  experiment: DnsExperiment;
  /** namespace/name of each Service whose name fails. */
  services: Set<string>;
}

type Rule = NetworkRule | DnsRule;

/** What happens to one chunk travelling between two pods. */
export type ChunkFate =
  | { fate: 'pass'; delayMs: number }
  /** Black hole: the bytes never arrive (a partition). */
  | { fate: 'drop' }
  /** The connection fails (a bandwidth limit's full queue). */
  | { fate: 'reset' };

/** What a new connection meets before any byte is forwarded. */
export type ConnectionFate = 'forward' | 'reset' | 'blackhole';

/** One connection through a proxy: who calls whom, on which port of the callee. */
export interface ConnectionEnds {
  client?: WorkloadRef;
  server?: WorkloadRef;
  /** The Service the client dialled. */
  service: WorkloadRef;
  serverPort: number;
}

const same = (a: WorkloadRef | undefined, b: WorkloadRef): boolean =>
  a !== undefined && a.namespace === b.namespace && a.name === b.name;

/** Linux's TCP_RTO_MIN: on a pod network, with round trips far below it, the first retransmission timeout. */
export const TCP_RTO_MIN_MS = 200;
/**
 * Retransmissions after which a chunk counts as never arriving: the timeouts by then add up to 12.6 s, past
 * every caller's own timeout, so the call has failed long before Linux would abort the connection
 * (tcp_retries2, about 15 minutes).
 */
export const MAX_RETRANSMISSIONS = 6;

/**
 * How long a chunk is held when each transmission is lost with probability `percent`: the sum of the
 * retransmission timeouts (200 ms, 400 ms, 800 ms, ...) of the copies lost before one arrives, or
 * undefined when more than MAX_RETRANSMISSIONS copies are lost.
 */
export function retransmissionDelay(percent: number, draw: () => number): number | undefined {
  let delayMs = 0;
  let rto = TCP_RTO_MIN_MS;
  for (let lost = 0; draw() * 100 < percent; lost++) {
    if (lost === MAX_RETRANSMISSIONS) return undefined;
    delayMs += rto;
    rto *= 2;
  }
  return delayMs;
}

export class ProxyChaosRules {
  private readonly rules = new Map<number, Rule>();
  private nextId = 1;

  constructor(
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.rules.size;
  }

  addNetwork(experiment: NetworkExperiment): number {
    const id = this.nextId++;
    const correlation =
      experiment.delay?.correlation ?? experiment.loss?.correlation ?? experiment.corrupt?.correlation ?? 0;
    const bw = experiment.bandwidth;
    this.rules.set(id, {
      id,
      kind: 'network',
      experiment,
      random: new CorrelatedRandom(correlation, this.random),
      bucket: bw
        ? new TokenBucket(bw.bytesPerSecond, Math.max(1, bw.bufferBytes), this.now, bw.limitBytes)
        : undefined,
    });
    return id;
  }

  addDns(experiment: DnsExperiment): number {
    const id = this.nextId++;
    const services = new Set(
      experiment.names.flatMap((n) => serviceOfName(n, experiment.from.namespace) ?? []),
    );
    this.rules.set(id, { id, kind: 'dns', experiment, services });
    return id;
  }

  remove(id: number): boolean {
    return this.rules.delete(id);
  }

  clear(): void {
    this.rules.clear();
  }

  /** Whether the cluster DNS fails this client's lookups of the Service (`error`: SERVFAIL, cluster-dns.ts). */
  lookupFails(client: WorkloadRef | undefined, service: WorkloadRef): boolean {
    return this.dnsRuleFor(client, service)?.experiment.action === 'error';
  }

  /**
   * A new connection to the Service. A `random` lookup answer would send the caller to an address where
   * nothing answers; the substrate keeps every packet on loopback, so the proxy plays that address: the
   * connection hangs until the caller gives up.
   */
  connectionFate(c: ConnectionEnds): ConnectionFate {
    return this.dnsRuleFor(c.client, c.service)?.experiment.action === 'random' ? 'blackhole' : 'forward';
  }

  private dnsRuleFor(client: WorkloadRef | undefined, service: WorkloadRef): DnsRule | undefined {
    for (const r of this.rules.values()) {
      if (r.kind !== 'dns' || !same(client, r.experiment.from)) continue;
      if (r.services.has(`${service.namespace}/${service.name}`)) return r;
    }
    return undefined;
  }

  /** The fate of a chunk the client sends (`toServer`) or the server sends back. */
  chunkFate(c: ConnectionEnds, toServer: boolean, bytes: number): ChunkFate {
    const sender = toServer ? c.client : c.server;
    const receiver = toServer ? c.server : c.client;
    let delayMs = 0;
    for (const r of this.rules.values()) {
      if (r.kind !== 'network') continue;
      const x = r.experiment;
      const callerToCallee = same(sender, x.from) && same(receiver, x.to);
      const calleeToCaller = same(sender, x.to) && same(receiver, x.from);
      const covered = (callerToCallee && x.direction !== 'from') || (calleeToCaller && x.direction !== 'to');
      if (!covered) continue;
      // The port is the callee's: a connection the other way round is not on it.
      if (x.port !== undefined && !(same(c.server, x.to) && c.serverPort === x.port)) continue;
      switch (x.action) {
        case 'partition':
          return { fate: 'drop' };
        case 'loss':
        case 'corrupt': {
          // A corrupted segment fails its checksum and is discarded like a lost one. TCP sends a lost
          // segment again after its retransmission timeout, doubled on every loss: the caller sees a slow
          // call, and only when losses pile up beyond its own timeout a failed one.
          const pct = (x.loss ?? x.corrupt)?.percent ?? 0;
          const wait = retransmissionDelay(pct, () => r.random.next());
          if (wait === undefined) return { fate: 'drop' };
          delayMs += wait;
          break;
        }
        case 'delay': {
          const d = x.delay;
          if (!d) break;
          // Uniform in latency ± jitter, as netem without a distribution table.
          const spread = d.jitterMs > 0 ? (2 * r.random.next() - 1) * d.jitterMs : 0;
          delayMs += Math.max(0, d.latencyMs + spread);
          break;
        }
        case 'bandwidth': {
          // A full queue drops what arrives; TCP gives up on the connection as it would after retries.
          const wait = r.bucket?.take(bytes);
          if (r.bucket && wait === undefined) return { fate: 'reset' };
          delayMs += wait ?? 0;
          break;
        }
      }
    }
    return { fate: 'pass', delayMs };
  }
}
