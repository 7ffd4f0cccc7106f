import type { Product } from '../data/products.js';
import { HttpError } from '../runtime/http-error.js';
import { shopRedis } from '../runtime/redis-client.js';
import { ReadThroughCache } from '../runtime/read-through-cache.js';
import type { ServiceContext, ServiceParts } from '../runtime/service-context.js';

export interface CartItem {
  productId: string;
  quantity: number;
  priceUsd: number;
}

export interface Cart {
  userId: string;
  items: CartItem[];
  totalUsd: number;
}

const cartKey = (userId: string) => `cart:${userId}`;
const MAX_QUANTITY = 100;

function parseAdd(body: unknown): { productId: string; quantity: number } {
  const b = (body ?? {}) as Record<string, unknown>;
  const quantity = b.quantity ?? 1;
  if (typeof b.productId !== 'string' || b.productId === '')
    throw new HttpError(400, 'productId is required');
  if (
    typeof quantity !== 'number' ||
    !Number.isInteger(quantity) ||
    quantity < 1 ||
    quantity > MAX_QUANTITY
  ) {
    throw new HttpError(400, `quantity must be an integer 1-${MAX_QUANTITY}`);
  }
  return { productId: b.productId, quantity };
}

/**
 * Carts as Redis hashes (`cart:<userId>`: productId → quantity, expiring after cartTtlSeconds). Prices come
 * from the catalog through a read-through cache (productCacheTtlSeconds); with the `cache` setting disabled
 * every line of every cart is fetched from the catalog again.
 */
export function cartService(ctx: ServiceContext): ServiceParts {
  const { config, settings } = ctx;
  const catalog = ctx.client('catalog');
  const redis = shopRedis(ctx);
  const products = new ReadThroughCache<Product>({
    metrics: ctx.metrics,
    service: config.service,
    cache: 'product-prices',
    ttlMs: () => config.cart.productCacheTtlSeconds * 1000,
    enabled: () => settings.current.cache?.enabled !== false,
  });

  settings.onChange((next) => {
    const up = next.upstream?.dependency === 'redis' ? next.upstream.address : undefined;
    if (up) {
      const i = up.lastIndexOf(':');
      redis.setAddress(up.slice(0, i), Number(up.slice(i + 1)));
    } else {
      redis.setAddress(config.cart.redis.host, config.cart.redis.port);
    }
    if (next.cache?.enabled === false) products.clear();
  });

  const product = (id: string): Promise<Product> =>
    products.get(id, () => catalog.get<Product>(`/products/${encodeURIComponent(id)}`, '/products/:id'));

  async function readCart(userId: string): Promise<Cart> {
    const raw = await redis.command('HGETALL', (r) => r.hgetall(cartKey(userId)));
    const items: CartItem[] = [];
    for (const [productId, qty] of Object.entries(raw).sort(([a], [b]) => a.localeCompare(b))) {
      const p = await product(productId);
      items.push({ productId, quantity: Number(qty), priceUsd: p.priceUsd });
    }
    const totalUsd = Math.round(items.reduce((s, i) => s + i.priceUsd * i.quantity, 0) * 100) / 100;
    return { userId, items, totalUsd };
  }

  return {
    routes(server) {
      server.route('GET', '/carts/:userId', async (req) => ({ body: await readCart(req.params.userId) }));
      server.route('POST', '/carts/:userId/items', async (req) => {
        const { productId, quantity } = parseAdd(req.body);
        const userId = req.params.userId;
        await product(productId);
        const key = cartKey(userId);
        const lines = await redis.command('HLEN', (r) => r.hlen(key));
        if (lines >= config.cart.maxItems) {
          const has = await redis.command('HEXISTS', (r) => r.hexists(key, productId));
          if (!has) {
            req.log.warn(
              { user_id: userId, max_items: config.cart.maxItems },
              `cart rejected item: limit of ${config.cart.maxItems} distinct items reached`,
            );
            throw new HttpError(409, `cart is full (at most ${config.cart.maxItems} distinct items)`);
          }
        }
        await redis.command('HINCRBY', (r) => r.hincrby(key, productId, quantity));
        await redis.command('EXPIRE', (r) => r.expire(key, config.cart.cartTtlSeconds));
        return { status: 201, body: await readCart(userId) };
      });
      server.route('DELETE', '/carts/:userId', async (req) => {
        await redis.command('DEL', (r) => r.del(cartKey(req.params.userId)));
        return { status: 204 };
      });
    },
    readiness: { redis: () => redis.ping() },
    close: () => redis.close(),
  };
}
