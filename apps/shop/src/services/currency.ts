import { HttpError } from '../runtime/http-error.js';
import type { ServiceContext, ServiceParts } from '../runtime/service-context.js';

/** Currencies without minor units in ISO 4217 among the ones the shop knows. */
const ZERO_DECIMALS = new Set(['JPY', 'KRW', 'HUF']);

export function roundAmount(amount: number, currency: string): number {
  const f = ZERO_DECIMALS.has(currency) ? 1 : 100;
  return Math.round(amount * f) / f;
}

/**
 * Converts between currencies with the rate table from config (units per USD). A currency missing from the
 * table is a 422 on that conversion only, so a trimmed rate table breaks checkouts in that currency alone.
 */
export function currencyService(ctx: ServiceContext): ServiceParts {
  const rates = ctx.config.currency.rates;
  return {
    routes(server) {
      server.route('GET', '/currencies', async () => ({ body: { currencies: Object.keys(rates).sort() } }));
      server.route('GET', '/convert', async (req) => {
        const from = (req.query.get('from') ?? '').toUpperCase();
        const to = (req.query.get('to') ?? '').toUpperCase();
        const amountText = req.query.get('amount') ?? '';
        const amount = Number(amountText);
        if (!from || !to || amountText === '' || !Number.isFinite(amount) || amount < 0) {
          throw new HttpError(400, 'from, to and a non-negative amount are required');
        }
        for (const code of [from, to]) {
          if (rates[code] === undefined) {
            req.log.warn({ currency: code }, `conversion rejected: no exchange rate configured for ${code}`);
            throw new HttpError(422, `unsupported currency ${code}`);
          }
        }
        const rate = rates[to] / rates[from];
        return { body: { from, to, amount, rate, converted: roundAmount(amount * rate, to) } };
      });
    },
  };
}
