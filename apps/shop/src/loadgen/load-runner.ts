import { Agent } from 'node:http';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { Gauge, type Counter, type Histogram } from 'prom-client';
import { DependencyClient } from '../runtime/http-client.js';
import type { ShopMetrics } from '../runtime/metrics.js';
import { LatencyStats, type Outcome } from './latency-stats.js';
import { JourneyPlanner, type Journey, type JourneyMix, type PlannedRequest, type StepName } from './plan.js';
import { RateProfile } from './rate-profile.js';

export interface LoadRunnerOptions {
  targetUrl: string;
  /** Mean journeys per second. */
  rps: number;
  /** Largest relative swing of the journey rate around `rps` (see RateProfile); 0 or absent: flat. */
  variation?: number;
  seed: number;
  mix: JourneyMix;
  requestTimeoutMs: number;
  maxInFlight: number;
  /** Stop after this many journeys were started (then `done` resolves once they finish). */
  journeys?: number;
  /** Stop starting journeys after this many seconds. */
  durationS?: number;
  tracer: Tracer;
  metrics: ShopMetrics;
  logger: Logger;
}

/** Route templates of the frontend, for span names (paths carry user and product ids). */
const STEP_ROUTES: Record<StepName, string> = {
  list_products: '/api/products',
  view_product: '/api/products/:id',
  convert_currency: '/api/currency/convert',
  add_to_cart: '/api/cart/:userId/items',
  view_cart: '/api/cart/:userId',
  place_order: '/api/checkout/:userId',
};

/**
 * Open-loop traffic: journey i starts when the seeded rate profile has accumulated i journeys since t0
 * (t0 + i/rps when flat), whatever earlier journeys are doing, so a slow shop sees the same arrival rate (and
 * queues build up) instead of a politely slowing client. In-flight journeys are
 * capped; over the cap a journey is dropped and counted, never delayed. Steps of one journey run in order and
 * always all run, so the request sequence depends only on the seed.
 */
export class LoadRunner {
  readonly stats = new LatencyStats();
  private readonly planner: JourneyPlanner;
  private readonly profile: RateProfile;
  private readonly client: DependencyClient;
  private readonly requests: Counter<'journey' | 'step' | 'outcome'>;
  private readonly duration: Histogram<'journey' | 'step'>;
  private readonly journeysTotal: Counter<'journey' | 'outcome'>;
  private readonly dropped: Counter<'journey'>;
  private readonly inflightGauge: Gauge;
  private readonly targetRate: Gauge;
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private started = 0;
  private inflight = 0;
  private stopped = false;
  private resolveDone!: () => void;
  /** Resolves when a bounded run (journeys or durationS) has started and finished all its journeys. */
  readonly done = new Promise<void>((r) => (this.resolveDone = r));

  constructor(private readonly opts: LoadRunnerOptions) {
    this.planner = new JourneyPlanner(opts.seed, opts.mix);
    this.profile = new RateProfile({ rps: opts.rps, variation: opts.variation ?? 0, seed: opts.seed });
    this.client = new DependencyClient({
      service: 'loadgen',
      dependency: 'frontend',
      baseUrl: opts.targetUrl,
      timeoutMs: opts.requestTimeoutMs,
      retries: 0,
      tracer: opts.tracer,
      metrics: opts.metrics,
      logger: opts.logger,
      agent: new Agent({ keepAlive: true, maxSockets: opts.maxInFlight + 16 }),
    });
    const m = opts.metrics;
    this.requests = m.counter(
      'loadgen_requests_total',
      'Requests sent by the load generator, by journey, step and outcome.',
      ['journey', 'step', 'outcome'],
    );
    this.duration = m.histogram('loadgen_request_duration_seconds', 'Latency seen by the load generator.', [
      'journey',
      'step',
    ]);
    this.journeysTotal = m.counter(
      'loadgen_journeys_total',
      'Journeys completed, by outcome (ok when every step succeeded).',
      ['journey', 'outcome'],
    );
    this.dropped = m.counter(
      'loadgen_dropped_journeys_total',
      'Journeys not started because too many were in flight.',
      ['journey'],
    );
    this.inflightGauge = new Gauge({
      name: 'loadgen_inflight_journeys',
      help: 'Journeys in flight.',
      registers: [m.registry],
    });
    this.targetRate = new Gauge({
      name: 'loadgen_target_journeys_per_second',
      help: 'Journey start rate the seeded profile asks for now.',
      registers: [m.registry],
    });
  }

  start(): void {
    this.t0 = performance.now();
    const p = this.profile;
    const swing = p.variation > 0 ? ` (±${Math.round(p.variation * 100)}%)` : '';
    this.opts.logger.info(
      {
        target: this.opts.targetUrl,
        rps: this.opts.rps,
        seed: this.opts.seed,
        mix: this.opts.mix,
        variation: p.requestedVariation,
        variation_applied: Math.round(p.variation * 1000) / 1000,
        periods_s: p.components.map((c) => Math.round(c.periodS)),
      },
      `sending ${this.opts.rps} journeys/s${swing} to ${this.opts.targetUrl}`,
    );
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.maybeDone();
  }

  private dueAt(journey: number): number {
    return this.t0 + this.profile.timeOf(journey) * 1000;
  }

  private schedule(): void {
    if (this.stopped) return;
    const due = this.dueAt(this.started);
    this.timer = setTimeout(
      () => {
        const now = performance.now();
        this.targetRate.set(this.profile.rateAt((now - this.t0) / 1000));
        while (!this.stopped && this.dueAt(this.started) <= now) {
          if (this.limitReached(now)) {
            this.stop();
            return;
          }
          this.launch(this.planner.next());
          this.started++;
        }
        this.schedule();
      },
      Math.max(0, due - performance.now()),
    );
  }

  private limitReached(now: number): boolean {
    if (this.opts.journeys !== undefined && this.started >= this.opts.journeys) return true;
    return this.opts.durationS !== undefined && now - this.t0 >= this.opts.durationS * 1000;
  }

  private launch(journey: Journey): void {
    if (this.inflight >= this.opts.maxInFlight) {
      this.dropped.inc({ journey: journey.kind });
      return;
    }
    this.inflight++;
    this.inflightGauge.set(this.inflight);
    void this.run(journey).finally(() => {
      this.inflight--;
      this.inflightGauge.set(this.inflight);
      this.maybeDone();
    });
  }

  private maybeDone(): void {
    if (this.stopped && this.inflight === 0) this.resolveDone();
  }

  private async run(journey: Journey): Promise<void> {
    let allOk = true;
    for (const step of journey.steps) {
      const outcome = await this.send(journey, step);
      if (outcome !== 'ok') allOk = false;
    }
    this.journeysTotal.inc({ journey: journey.kind, outcome: allOk ? 'ok' : 'failed' });
  }

  private async send(journey: Journey, step: PlannedRequest): Promise<Outcome> {
    const started = performance.now();
    let outcome: Outcome;
    try {
      const res = await this.client.call(step.method, step.path, STEP_ROUTES[step.step], step.body, {
        'x-request-id': step.requestId,
      });
      outcome = res.status < 400 ? 'ok' : res.status < 500 ? 'client_error' : 'server_error';
    } catch (err) {
      outcome = (err as { code?: string }).code === 'ETIMEDOUT' ? 'timeout' : 'network_error';
    }
    const ms = performance.now() - started;
    this.stats.record(ms, outcome);
    this.requests.inc({ journey: journey.kind, step: step.step, outcome });
    this.duration.observe({ journey: journey.kind, step: step.step }, ms / 1000);
    return outcome;
  }
}
