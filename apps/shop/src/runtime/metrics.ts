import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';

/** 5 ms .. 10 s: covers a cache hit and a request stuck behind a 2 s timeout plus one retry. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One registry per process: default process metrics plus the shop's RED series. */
export class ShopMetrics {
  readonly registry = new Registry();
  readonly serverRequests: Counter<'service' | 'route' | 'method' | 'status'>;
  readonly serverDuration: Histogram<'service' | 'route' | 'method' | 'status'>;
  readonly clientRequests: Counter<'service' | 'dependency' | 'status'>;
  readonly clientDuration: Histogram<'service' | 'dependency' | 'status'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.serverRequests = new Counter({
      name: 'http_server_requests_total',
      help: 'Inbound HTTP requests handled, by templated route and status code.',
      labelNames: ['service', 'route', 'method', 'status'],
      registers,
    });
    this.serverDuration = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Time from request arrival to the last byte of the response.',
      labelNames: ['service', 'route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.clientRequests = new Counter({
      name: 'http_client_requests_total',
      help: 'Outbound HTTP calls to dependencies, one per attempt; status "error" when no response arrived.',
      labelNames: ['service', 'dependency', 'status'],
      registers,
    });
    this.clientDuration = new Histogram({
      name: 'http_client_request_duration_seconds',
      help: 'Duration of outbound HTTP calls to dependencies, one per attempt.',
      labelNames: ['service', 'dependency', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
  }

  /*
   * The helpers below return the metric already registered under `name` when there is one, so two users of
   * one series in a process (two Redis connections, a queue producer and consumer) share it instead of
   * prom-client refusing the second registration.
   */

  histogram<L extends string>(name: string, help: string, labelNames: L[]): Histogram<L> {
    return (
      this.existing(name, Histogram) ??
      new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [this.registry] })
    );
  }

  counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return (
      this.existing(name, Counter) ?? new Counter({ name, help, labelNames, registers: [this.registry] })
    );
  }

  gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    return this.existing(name, Gauge) ?? new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private existing<M extends Metric>(
    name: string,
    kind: abstract new (...args: never[]) => M,
  ): M | undefined {
    const found = this.registry.getSingleMetric(name);
    if (found === undefined) return undefined;
    if (!(found instanceof kind)) throw new Error(`metric ${name} is already registered as another type`);
    return found;
  }
}
