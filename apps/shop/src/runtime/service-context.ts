import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { ShopConfig } from './config.js';
import type { DependencyClient } from './http-client.js';
import type { ShopServer } from './http-server.js';
import type { ShopMetrics } from './metrics.js';
import type { ReadinessCheck } from './readiness.js';
import type { HttpDependency } from './service-names.js';
import type { SettingsStore } from './settings-store.js';

/** What every service implementation gets from the shared runtime. */
export interface ServiceContext {
  config: ShopConfig;
  logger: Logger;
  metrics: ShopMetrics;
  tracer: Tracer;
  settings: SettingsStore;
  /** An instrumented client for one HTTP dependency, configured from timeoutsMs/retries. */
  client(dependency: HttpDependency): DependencyClient;
}

/** What a service implementation hands back to the runtime. */
export interface ServiceParts {
  routes(server: ShopServer): void;
  /** Named checks behind /readyz; none means ready as soon as the port is open. */
  readiness?: Record<string, ReadinessCheck>;
  /** Requests that stay out of tracing, RED metrics and access logs. */
  untracked?: (method: string, route: string) => boolean;
  /** Whether this service follows runtime settings from FLAGS_URL (everything but flags and loadgen). */
  followsSettings?: boolean;
  /** Background work started after the port is open (loadgen's traffic). */
  start?(): void;
  close?(): Promise<void>;
}

export type ServiceFactory = (ctx: ServiceContext) => Promise<ServiceParts> | ServiceParts;
