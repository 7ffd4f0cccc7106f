import { LoadRunner } from '../loadgen/load-runner.js';
import type { ServiceContext, ServiceParts } from '../runtime/service-context.js';

/**
 * The seeded load generator. Serves /metrics (loadgen_* series), GET /stats (request count, outcomes,
 * p50/p95/p99 since start or the last POST /stats/reset) and, for a bounded run (LOAD_JOURNEYS or
 * LOAD_DURATION_S), exits 0 once the last journey finished.
 */
export function loadgenService(ctx: ServiceContext, onFinished: () => void): ServiceParts {
  const lg = ctx.config.loadgen;
  const runner = new LoadRunner({ ...lg, tracer: ctx.tracer, metrics: ctx.metrics, logger: ctx.logger });
  return {
    followsSettings: false,
    untracked: () => true,
    routes(server) {
      server.route('GET', '/stats', async () => ({ body: runner.stats.snapshot() }));
      server.route('POST', '/stats/reset', async () => {
        runner.stats.reset();
        return { status: 204 };
      });
    },
    start() {
      runner.start();
      if (lg.journeys !== undefined || lg.durationS !== undefined) {
        void runner.done.then(() => {
          ctx.logger.info({ stats: runner.stats.snapshot() }, 'load run finished');
          onFinished();
        });
      }
    },
    async close() {
      runner.stop();
    },
  };
}
