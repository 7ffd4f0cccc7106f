import type { ServiceContext, ServiceParts } from '../runtime/service-context.js';
import { HttpError } from '../runtime/http-error.js';
import { FlagStore } from './flag-store.js';

function actorOf(headers: Record<string, string | string[] | undefined>): string {
  const v = headers['x-actor'];
  return (Array.isArray(v) ? v[0] : v) || 'unknown';
}

/**
 * The runtime-settings service other services poll. Testbed machinery, not part of the shop: it exports no
 * spans and none of its API calls count in the http_server_* series or produce access logs. The caller's
 * X-Actor goes into the audit trail only, never into a log line (callers name themselves freely).
 */
export function flagsService(ctx: ServiceContext): ServiceParts {
  const { logger, metrics, config } = ctx;
  const store = new FlagStore(config.flags.maxAuditEntries);
  const changes = metrics.counter('flag_changes_total', 'Changes to runtime settings, by action.', [
    'service',
    'action',
  ]);
  const count = (action: string, n = 1) => changes.inc({ service: config.service, action }, n);

  return {
    followsSettings: false,
    untracked: () => true,
    routes(server) {
      server.route('GET', '/flags', async (req) => ({
        body: store.list(req.query.get('service') ?? undefined),
      }));
      server.route('GET', '/flags/:key', async (req) => {
        const v = store.get(req.params.key);
        if (v === undefined) throw new HttpError(404, `no flag ${req.params.key}`);
        return { body: v };
      });
      server.route('PUT', '/flags/:key', async (req) => {
        const actor = actorOf(req.headers);
        const r = store.set(req.params.key, req.body, actor);
        if (!r.ok) throw new HttpError(400, r.error);
        count('set');
        logger.info({ key: req.params.key, value: r.value }, `flag ${req.params.key} set`);
        return { body: { key: req.params.key, value: r.value } };
      });
      server.route('DELETE', '/flags/:key', async (req) => {
        const actor = actorOf(req.headers);
        if (store.delete(req.params.key, actor)) {
          count('delete');
          logger.info({ key: req.params.key }, `flag ${req.params.key} deleted`);
        }
        return { status: 204 };
      });
      server.route('DELETE', '/flags', async (req) => {
        const actor = actorOf(req.headers);
        const n = store.clear(actor);
        count('clear', n);
        logger.info({ cleared: n }, `all flags cleared`);
        return { body: { cleared: n } };
      });
      server.route('GET', '/audit', async () => ({ body: store.auditTrail() }));
    },
  };
}
