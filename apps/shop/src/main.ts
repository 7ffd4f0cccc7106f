import { loadConfig, type ShopConfig } from './runtime/config.js';
import { ConfigError } from './runtime/config-error.js';
import { readEnv } from './runtime/env.js';
import { createShopLogger, type Logger } from './runtime/logger.js';
import { runService, type RunningService } from './runtime/service-runtime.js';
import { isJobName, type JobName } from './runtime/service-names.js';
import { serviceFactory } from './services/registry.js';

/**
 * The one entry point of every shop service: `node dist/apps/shop/src/main.js <service>` (or SHOP_SERVICE),
 * and of the batch jobs (`catalog-sync`, `cart-cleanup`), which run to completion and exit 0, or 1 after one
 * error line. A bad configuration ends the process at start with exit 1 and a single fatal log line naming
 * the problem.
 */
async function main(): Promise<void> {
  const bootName = process.argv[2] || process.env.SHOP_SERVICE || 'shop';
  let logger: Logger = createShopLogger({ service: bootName, level: 'info', podName: process.env.POD_NAME });
  let running: RunningService | undefined;
  try {
    const env = readEnv(process.argv, process.env);
    const { config, unknownKeys } = loadConfig(env);
    logger = createShopLogger({ service: config.service, level: config.logLevel, podName: config.podName });
    for (const key of unknownKeys) logger.warn({ key }, `ignoring unknown configuration key "${key}"`);
    if (isJobName(config.service)) {
      process.exit(await job(config, config.service, logger));
    }
    const exit = (code: number) => {
      void (running?.stop() ?? Promise.resolve()).finally(() => process.exit(code));
      setTimeout(() => process.exit(code), 2500).unref();
    };
    const factory = await serviceFactory(config.service, () => exit(0));
    running = await runService(config, logger, factory);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, `received ${signal}, shutting down`);
        exit(0);
      });
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof ConfigError) logger.fatal({ err_code: 'EINVALIDCONFIG' }, e.message);
    else if (e.code === 'EADDRINUSE' || e.code === 'EACCES')
      logger.fatal({ err_code: e.code }, `cannot listen: ${e.message}`);
    else logger.fatal({ err: e }, `startup failed: ${e.message}`);
    process.exit(1);
  }
}

/** A batch job: stops early on SIGTERM (pod deleted, deadline passed) and reports that as its failure. */
async function job(config: ShopConfig, name: JobName, logger: Logger): Promise<number> {
  const { batchJob } = await import('./jobs/registry.js');
  const { runJob } = await import('./jobs/job-runtime.js');
  const controller = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, `received ${signal}, shutting down`);
      controller.abort(`received ${signal}`);
      // A job stuck in a call gets the same grace as a service, then goes.
      setTimeout(() => process.exit(1), 2500).unref();
    });
  }
  return runJob(config, logger, await batchJob(name), controller.signal);
}

void main();
