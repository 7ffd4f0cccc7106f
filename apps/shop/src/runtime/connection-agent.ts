import { Agent, type AgentOptions } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * How long a kept-alive connection to a dependency is reused. Real clients bound it (Envoy's
 * max_connection_duration, gRPC's MAX_CONNECTION_AGE, HTTP clients behind load balancers): otherwise a
 * Service change (a new targetPort or selector) never reaches callers whose connections kube-proxy's
 * conntrack keeps on the old endpoints, and the change bites only when they happen to reconnect.
 */
export const DEFAULT_CONNECTION_MAX_AGE_MS = 30_000;

export interface BoundedAgentOptions extends AgentOptions {
  /** Connections older than this are closed when their request ends instead of being reused; 0: unbounded. */
  maxAgeMs: number;
  now?: () => number;
}

/**
 * A keep-alive agent whose connections retire after `maxAgeMs`: the age counts from the connection's first
 * completed request, and a connection past it is closed when it would go back to the pool (never mid-request).
 */
export class BoundedLifetimeAgent extends Agent {
  private readonly firstFreed = new WeakMap<Duplex, number>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(opts: BoundedAgentOptions) {
    const { maxAgeMs, now, ...agentOptions } = opts;
    super(agentOptions);
    this.maxAgeMs = maxAgeMs;
    this.now = now ?? Date.now;
  }

  /** Node destroys the socket when this returns false (documented on http.Agent#keepSocketAlive). */
  override keepSocketAlive(socket: Duplex): boolean {
    if (this.maxAgeMs > 0) {
      const t = this.now();
      const since = this.firstFreed.get(socket);
      if (since === undefined) this.firstFreed.set(socket, t);
      else if (t - since >= this.maxAgeMs) return false;
    }
    super.keepSocketAlive(socket);
    return true;
  }
}
