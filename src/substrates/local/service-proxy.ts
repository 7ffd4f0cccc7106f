import { createServer, connect, type Server, type Socket } from 'node:net';
import type { WorkloadRef } from '../../platform/chaos-api.js';
import type { ConnectionEnds, ProxyChaosRules } from './proxy-chaos.js';

export interface Endpoint {
  ip: string;
  port: number;
}

/** What a proxy needs to apply the network chaos rules to the connections it carries. */
export interface ProxyChaos {
  /** The Service this proxy serves. */
  service: WorkloadRef;
  rules: ProxyChaosRules;
  /** The workload of the pod that owns a loopback address (callers bind to their pod's). */
  workloadAt(ip: string): WorkloadRef | undefined;
}

/**
 * Holds the chunks of one direction of a connection until their release times, in order: TCP hands the
 * application its bytes in order however the packets were delayed.
 */
class DelayLine {
  private readonly queue: Array<{ at: number; chunk: Buffer }> = [];
  private timer: NodeJS.Timeout | undefined;
  private lastRelease = 0;
  private ended = false;

  constructor(private readonly out: Socket) {}

  get idle(): boolean {
    return this.queue.length === 0;
  }

  push(chunk: Buffer, delayMs: number): void {
    this.lastRelease = Math.max(this.lastRelease, Date.now() + delayMs);
    this.queue.push({ at: this.lastRelease, chunk });
    this.arm();
  }

  /** The sender finished: end the other side once everything queued has gone. */
  end(): void {
    this.ended = true;
    if (this.idle) this.out.end();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  private arm(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.queue[0].at - Date.now()));
  }

  private flush(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0].at <= now) {
      const { chunk } = this.queue.shift()!;
      if (!this.out.destroyed) this.out.write(chunk);
    }
    if (this.queue.length > 0) this.arm();
    else if (this.ended && !this.out.destroyed) this.out.end();
  }
}

/**
 * kube-proxy for one Service port: listens on the Service's loopback ClusterIP and forwards each
 * connection to the next ready endpoint, round robin, from the caller's own address (kube-proxy DNATs
 * the destination and leaves the source alone, so the called pod sees the calling pod's IP). With no
 * endpoints it does not listen at all, so a new connection is refused (ECONNREFUSED) as kube-proxy's
 * REJECT rule refuses it in a cluster; connections already open stay. With chaos rules (proxy-chaos.ts)
 * it also plays the pod network's netem and iptables rules between the calling and the called pod.
 */
export class ServiceProxy {
  private server: Server | undefined;
  private endpoints: Endpoint[] = [];
  private next = 0;
  private readonly sockets = new Set<Socket>();
  private started = false;
  /** Listening follows the endpoints, one change at a time and in the order they came. */
  private listening: Promise<void> = Promise.resolve();

  constructor(
    readonly ip: string,
    readonly port: number,
    private readonly chaos?: ProxyChaos,
  ) {}

  setEndpoints(eps: Endpoint[]): void {
    this.endpoints = eps;
    if (this.started) this.follow(eps.length > 0);
  }

  /** Starts serving; resolves once the proxy listens, or at once while the Service has no endpoints. */
  async start(): Promise<void> {
    this.started = true;
    this.follow(this.endpoints.length > 0);
    await this.listening;
  }

  /** Settles when listening matches the endpoints set so far (for tests and callers that must know). */
  settled(): Promise<void> {
    return this.listening;
  }

  private follow(open: boolean): void {
    const step = (): Promise<void> => (open ? this.listen() : this.unlisten());
    // A failed step is retried by the next change of endpoints; the caller meanwhile sees a refusal.
    this.listening = this.listening.then(step, step).catch(() => undefined);
  }

  private async listen(): Promise<void> {
    if (this.server || !this.started) return;
    const server = createServer((client) => this.forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.ip, () => resolve());
    });
    this.server = server;
  }

  private unlisten(): Promise<void> {
    // close() stops accepting at once; its callback waits for the open connections, which may go on.
    this.server?.close();
    this.server = undefined;
    return Promise.resolve();
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }

  private forward(client: Socket): void {
    this.track(client);
    if (this.endpoints.length === 0) {
      // Accepted in the instant before the listener closed: the closest a socket can come to a refusal.
      client.resetAndDestroy();
      return;
    }
    const ep = this.endpoints[this.next++ % this.endpoints.length];
    const ends = this.chaos && this.endsOf(client, ep, this.chaos);
    const fate = ends ? this.chaos!.rules.connectionFate(ends) : 'forward';
    if (fate === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (fate === 'blackhole') {
      // Nothing answers at the address the caller was given: its request waits until it gives up.
      client.on('data', () => undefined);
      client.once('error', () => client.destroy());
      return;
    }
    const caller = (client.remoteAddress ?? '').replace(/^::ffff:/, '');
    // From the caller's pod address when it has one (the shop binds its pod's); 127.0.0.1 is the node.
    const upstream = connect({
      port: ep.port,
      host: ep.ip,
      ...(caller.startsWith('127.') && caller !== '127.0.0.1' ? { localAddress: caller } : {}),
    });
    this.track(upstream);
    upstream.once('error', () => client.resetAndDestroy());
    client.once('error', () => upstream.destroy());
    if (!ends) {
      client.pipe(upstream);
      upstream.pipe(client);
      return;
    }
    const rules = this.chaos!.rules;
    const relay = (from: Socket, to: Socket, toServer: boolean): void => {
      const line = new DelayLine(to);
      from.on('data', (chunk: Buffer) => {
        if (rules.size === 0 && line.idle) {
          if (!to.write(chunk)) {
            from.pause();
            to.once('drain', () => from.resume());
          }
          return;
        }
        const f = rules.chunkFate(ends, toServer, chunk.length);
        if (f.fate === 'drop') return;
        if (f.fate === 'reset') {
          client.resetAndDestroy();
          upstream.resetAndDestroy();
          return;
        }
        line.push(chunk, f.delayMs);
      });
      from.once('end', () => line.end());
      from.once('close', () => line.clear());
    };
    relay(client, upstream, true);
    relay(upstream, client, false);
  }

  private endsOf(client: Socket, ep: Endpoint, chaos: ProxyChaos): ConnectionEnds {
    const caller = (client.remoteAddress ?? '').replace(/^::ffff:/, '');
    return {
      client: chaos.workloadAt(caller),
      server: chaos.workloadAt(ep.ip),
      service: chaos.service,
      serverPort: ep.port,
    };
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.listening;
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
