import type { JobName } from '../runtime/service-names.js';
import type { BatchJob } from './job-runtime.js';

/** The implementation behind each job name, imported on demand like the services (only cart-cleanup needs ioredis). */
export async function batchJob(name: JobName): Promise<BatchJob> {
  switch (name) {
    case 'catalog-sync':
      return (await import('./catalog-sync.js')).catalogSyncJob;
    case 'cart-cleanup':
      return (await import('./cart-cleanup.js')).cartCleanupJob;
    case 'db-migrate':
      return (await import('./db-migrate.js')).dbMigrateJob;
  }
}
