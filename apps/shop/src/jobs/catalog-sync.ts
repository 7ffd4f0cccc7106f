import type { Product } from '../data/products.js';
import { DependencyError } from '../runtime/dependency-error.js';
import { HttpError } from '../runtime/http-error.js';
import { JobError, type BatchJob, type JobContext } from './job-runtime.js';

const PROGRESS_EVERY = 10;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function reason(err: unknown): string {
  if (err instanceof DependencyError) return `${err.dependency}: ${err.message}`;
  if (err instanceof HttpError) return `catalog answered ${err.status}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Fields where a product's details disagree with its listing entry. */
function differences(listed: Product, detail: Product): string[] {
  const out: string[] = [];
  if (detail.id !== listed.id) out.push(`id ${detail.id}`);
  if (detail.name !== listed.name) out.push('name');
  if (detail.priceUsd !== listed.priceUsd) out.push(`price ${listed.priceUsd} → ${detail.priceUsd}`);
  if (JSON.stringify(detail.categories) !== JSON.stringify(listed.categories)) out.push('categories');
  return out;
}

/**
 * Refreshes a downstream copy of the catalog the way a nightly feed export would: lists the products, then
 * fetches each one's details at no more than `syncRps` requests per second, checks the details agree with the
 * listing, and reports. A short, real burst of traced GETs on catalog, spread out so it never swamps it.
 * Fails (exit 1) when the listing cannot be read or any product cannot be fetched.
 */
export const catalogSyncJob: BatchJob = {
  title: 'catalog sync',
  async run(ctx: JobContext): Promise<void> {
    const { logger, config, signal } = ctx;
    const catalog = ctx.client('catalog');
    const rps = config.catalogSync.rps;
    const started = performance.now();
    logger.info(
      { catalog: catalog.baseUrl, rps },
      `catalog sync started: reading products from ${catalog.baseUrl} at up to ${rps} requests/s`,
    );
    let listing: Product[];
    try {
      listing = (await catalog.get<{ products: Product[] }>('/products', '/products')).products;
    } catch (err) {
      throw new JobError(
        `cannot list products: ${reason(err)}`,
        err instanceof DependencyError ? err.code : undefined,
      );
    }
    if (!Array.isArray(listing)) throw new JobError('cannot list products: the answer has no product list');

    const total = listing.length;
    const categories = new Set<string>();
    let synced = 0;
    let failed = 0;
    let changed = 0;
    let lastStart = -Infinity;
    for (let i = 0; i < total; i++) {
      signal.throwIfAborted();
      // Spaced from the previous request's start, never caught up: a slow answer does not earn a burst.
      // A loop, not one sleep: a timer may fire a fraction of a millisecond early.
      for (let wait = lastStart + 1000 / rps - performance.now(); wait > 0;) {
        await sleep(wait);
        wait = lastStart + 1000 / rps - performance.now();
      }
      lastStart = performance.now();
      const listed = listing[i] as Product;
      try {
        const detail = await catalog.get<Product>(
          `/products/${encodeURIComponent(listed.id)}`,
          '/products/:id',
        );
        const diff = differences(listed, detail);
        if (diff.length > 0) {
          changed++;
          logger.warn(
            { product_id: listed.id, fields: diff },
            `product ${listed.id} changed during sync: ${diff.join(', ')}`,
          );
        }
        for (const c of detail.categories ?? []) categories.add(c);
        synced++;
      } catch (err) {
        failed++;
        logger.warn({ product_id: listed.id }, `product ${listed.id} could not be synced: ${reason(err)}`);
      }
      const done = i + 1;
      if (done % PROGRESS_EVERY === 0 || done === total) {
        logger.info({ synced, failed, total }, `synced ${synced}/${total} products`);
      }
    }
    const durationMs = Math.round(performance.now() - started);
    if (failed > 0) {
      throw new JobError(`${failed} of ${total} products could not be synced`);
    }
    logger.info(
      { products: total, synced, changed, categories: categories.size, duration_ms: durationMs },
      `catalog sync finished: ${synced} products in ${categories.size} categories, ${changed} changed, in ${(durationMs / 1000).toFixed(1)}s`,
    );
  },
};
