import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { ShopConfig } from './config.js';
import { CpuBurner } from './cpu-burner.js';
import { DependencyClient, dependencyAgent } from './http-client.js';
import { ShopServer } from './http-server.js';
import { MemoryRetainer } from './memory-retainer.js';
import { ShopMetrics } from './metrics.js';
import { Readiness } from './readiness.js';
import type { ServiceContext, ServiceFactory } from './service-context.js';
import type { HttpDependency } from './service-names.js';
import { SettingsPoller } from './settings-poller.js';
import { SettingsStore } from './settings-store.js';
import { startTracing } from './tracing.js';

export interface RunningService {
  port: number;
  /** Graceful stop: close the port, finish in-flight requests, flush spans. Bounded to ~2 s. */
  stop(): Promise<void>;
}

const SHUTDOWN_BUDGET_MS = 2000;

/** One instrumented client per HTTP dependency, made on first use from the config's URLs, timeouts and retries. */
export function dependencyClients(
  config: ShopConfig,
  deps: { tracer: Tracer; metrics: ShopMetrics; logger: Logger; settings?: SettingsStore },
): (dependency: HttpDependency) => DependencyClient {
  const clients = new Map<HttpDependency, DependencyClient>();
  const agent = dependencyAgent(config.connectionMaxAgeMs);
  return (dependency) => {
    let c = clients.get(dependency);
    if (!c) {
      c = new DependencyClient({
        service: config.service,
        dependency,
        baseUrl: config.dependencies[dependency],
        timeoutMs: config.timeoutsMs[dependency],
        retries: config.retries[dependency],
        agent,
        ...deps,
      });
      clients.set(dependency, c);
    }
    return c;
  };
}

/** Wires tracing, metrics, runtime settings and the HTTP server around one service implementation. */
export async function runService(
  config: ShopConfig,
  logger: Logger,
  factory: ServiceFactory,
): Promise<RunningService> {
  // The flags service is testbed machinery: it exports no spans.
  const tracing = startTracing({
    service: config.service,
    podName: config.podName,
    podNamespace: config.podNamespace,
    endpoint: config.service === 'flags' ? undefined : config.otlpTracesEndpoint,
  });
  const metrics = new ShopMetrics();
  const settings = new SettingsStore();
  const ctx: ServiceContext = {
    config,
    logger,
    metrics,
    tracer: tracing.tracer,
    settings,
    client: dependencyClients(config, { tracer: tracing.tracer, metrics, logger, settings }),
  };
  const parts = await factory(ctx);

  const cpu = new CpuBurner();
  const memory = new MemoryRetainer();
  settings.onChange((next) => {
    cpu.set(next.cpu?.fraction);
    memory.set(next.retention?.mbPerMinute);
  });

  const server = new ShopServer({
    service: config.service,
    logger,
    metrics,
    tracer: tracing.tracer,
    settings,
    readiness: new Readiness(parts.readiness ?? {}),
    untracked: parts.untracked,
    slowRequestMs: config.slowRequestMs,
    podName: config.podName,
  });
  parts.routes(server);
  // LISTEN_HOST: the local substrate gives each pod its own loopback address; in a pod, all interfaces.
  const port = await server.listen(config.port, process.env.LISTEN_HOST || undefined);

  let poller: SettingsPoller | undefined;
  if (parts.followsSettings !== false && config.flagsUrl) {
    poller = new SettingsPoller({
      service: config.service,
      flagsUrl: config.flagsUrl,
      intervalMs: config.flagsPollMs,
      store: settings,
    });
    poller.start();
  }
  logger.info({ port }, `${config.service} listening on port ${port}`);
  parts.start?.();

  let stopping: Promise<void> | undefined;
  return {
    port,
    stop() {
      stopping ??= (async () => {
        poller?.stop();
        cpu.set(0);
        memory.set(0);
        await Promise.race([
          (async () => {
            await server.close(SHUTDOWN_BUDGET_MS / 2);
            await parts.close?.();
            await tracing.shutdown();
          })(),
          new Promise((r) => setTimeout(r, SHUTDOWN_BUDGET_MS - 200).unref()),
        ]);
      })();
      return stopping;
    },
  };
}
