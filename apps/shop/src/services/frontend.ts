import { HttpError } from '../runtime/http-error.js';
import type { ServiceContext, ServiceParts } from '../runtime/service-context.js';

const CURRENCY_RE = /^[A-Z]{3}$/;
const enc = encodeURIComponent;

/** The public HTTP API (what the load generator and a browser would call); it fans out to the backends. */
export function frontendService(ctx: ServiceContext): ServiceParts {
  const catalog = ctx.client('catalog');
  const cart = ctx.client('cart');
  const checkout = ctx.client('checkout');
  const currency = ctx.client('currency');
  const defaultCurrency = ctx.config.frontend.defaultCurrency;

  return {
    routes(server) {
      server.route('GET', '/api/products', async () => ({
        body: await catalog.get('/products', '/products'),
      }));
      server.route('GET', '/api/products/:id', async (req) => ({
        body: await catalog.get(`/products/${enc(req.params.id)}`, '/products/:id'),
      }));
      server.route('GET', '/api/cart/:userId', async (req) => ({
        body: await cart.get(`/carts/${enc(req.params.userId)}`, '/carts/:userId'),
      }));
      server.route('POST', '/api/cart/:userId/items', async (req) => ({
        status: 201,
        body: await cart.post(
          `/carts/${enc(req.params.userId)}/items`,
          '/carts/:userId/items',
          req.body ?? {},
        ),
      }));
      server.route('POST', '/api/checkout/:userId', async (req) => {
        const b = (req.body ?? {}) as Record<string, unknown>;
        const cur = b.currency === undefined ? defaultCurrency : b.currency;
        if (typeof cur !== 'string' || !CURRENCY_RE.test(cur))
          throw new HttpError(400, 'currency must be a 3-letter code');
        return {
          status: 201,
          body: await checkout.post('/orders', '/orders', { userId: req.params.userId, currency: cur }),
        };
      });
      server.route('GET', '/api/currency/convert', async (req) => {
        const q = new URLSearchParams();
        for (const k of ['from', 'to', 'amount']) q.set(k, req.query.get(k) ?? '');
        return { body: await currency.get(`/convert?${q.toString()}`, '/convert') };
      });
    },
    readiness: {
      catalog: () => catalog.probe(),
      cart: () => cart.probe(),
      checkout: () => checkout.probe(),
    },
  };
}
