import { PRODUCTS } from '../data/products.js';
import { mulberry32 } from './prng.js';

export const JOURNEY_KINDS = ['browse', 'cart', 'checkout'] as const;
export type JourneyKind = (typeof JOURNEY_KINDS)[number];

/** Share of journeys of each kind; normalized so the values sum to 1. */
export type JourneyMix = Readonly<Record<JourneyKind, number>>;

export const DEFAULT_MIX: JourneyMix = { browse: 0.6, cart: 0.3, checkout: 0.1 };

export type StepName =
  'list_products' | 'view_product' | 'convert_currency' | 'add_to_cart' | 'view_cart' | 'place_order';

export interface PlannedRequest {
  step: StepName;
  method: 'GET' | 'POST';
  path: string;
  body?: Readonly<Record<string, unknown>>;
  /**
   * Sent as X-Request-Id: 16 hex digits drawn from the seed, as a proxy or client library makes them. Not
   * the seed or the journey's number: both would be read back out of the logs (the seed names the
   * scenario, the number how long the load has run).
   */
  requestId: string;
}

export interface Journey {
  index: number;
  kind: JourneyKind;
  userId: string;
  steps: PlannedRequest[];
}

/** Currencies shoppers pay in, with their weights. */
const CURRENCY_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['USD', 0.5],
  ['EUR', 0.2],
  ['GBP', 0.1],
  ['JPY', 0.1],
  ['CAD', 0.1],
];

/** Returning users whose carts persist between journeys. */
const CART_USERS = 200;
const BROWSE_CONVERT_PROBABILITY = 0.3;

/** Parses LOAD_MIX (`{"browse":0.6,"cart":0.3,"checkout":0.1}`); missing kinds weigh 0. Throws on anything else. */
export function parseMix(text: string): JourneyMix {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`not valid JSON: ${text}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error('must be a JSON object like {"browse":0.6,"cart":0.3,"checkout":0.1}');
  }
  return normalizeMix(raw as Record<string, unknown>);
}

export function normalizeMix(raw: Readonly<Record<string, unknown>>): JourneyMix {
  for (const key of Object.keys(raw)) {
    if (!(JOURNEY_KINDS as readonly string[]).includes(key)) {
      throw new Error(`unknown journey "${key}" (expected ${JOURNEY_KINDS.join(', ')})`);
    }
  }
  const weights = JOURNEY_KINDS.map((k) => {
    const v = raw[k] ?? 0;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new Error(`weight of "${k}" must be a non-negative number (got ${JSON.stringify(v)})`);
    }
    return v;
  });
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) throw new Error('weights must not all be zero');
  return { browse: weights[0] / total, cart: weights[1] / total, checkout: weights[2] / total };
}

/** Expected requests per journey under `mix`; used to turn a requests/s target into a journey rate. */
export function meanRequestsPerJourney(mix: JourneyMix): number {
  // checkout adds 1-3 items (mean 2) then places the order
  return mix.browse * (2 + BROWSE_CONVERT_PROBABILITY) + mix.cart * 2 + mix.checkout * 3;
}

/**
 * Generates journeys in order from one seeded stream. Every draw depends only on the seed and the journey's
 * position, never on responses, so the request sequence is identical across runs and shop states.
 */
export class JourneyPlanner {
  private readonly rand: () => number;
  /** Ids come from their own stream, so the journeys are the same draws as without them. */
  private readonly idRand: () => number;
  private readonly mix: JourneyMix;
  private index = 0;

  constructor(seed: number, mix: JourneyMix = DEFAULT_MIX) {
    this.mix = mix;
    this.rand = mulberry32(seed);
    this.idRand = mulberry32(seed ^ 0x9e3779b9);
  }

  private hexId(digits: number): string {
    let out = '';
    while (out.length < digits)
      out += Math.floor(this.idRand() * 0x10000)
        .toString(16)
        .padStart(4, '0');
    return out.slice(0, digits);
  }

  next(): Journey {
    const index = this.index++;
    const kind = this.pickKind();
    const steps: PlannedRequest[] = [];
    const add = (step: Omit<PlannedRequest, 'requestId'>) =>
      steps.push({ ...step, requestId: this.hexId(16) });
    let userId: string;
    switch (kind) {
      case 'browse': {
        userId = `visitor-${this.int(1, 10_000)}`;
        const product = this.product();
        add({ step: 'list_products', method: 'GET', path: '/api/products' });
        add({ step: 'view_product', method: 'GET', path: `/api/products/${product.id}` });
        if (this.rand() < BROWSE_CONVERT_PROBABILITY) {
          const to = this.currency();
          add({
            step: 'convert_currency',
            method: 'GET',
            path: `/api/currency/convert?from=USD&to=${to}&amount=${product.priceUsd}`,
          });
        }
        break;
      }
      case 'cart': {
        userId = `user-${this.int(1, CART_USERS)}`;
        const product = this.product();
        const quantity = this.int(1, 3);
        add({
          step: 'add_to_cart',
          method: 'POST',
          path: `/api/cart/${userId}/items`,
          body: { productId: product.id, quantity },
        });
        add({ step: 'view_cart', method: 'GET', path: `/api/cart/${userId}` });
        break;
      }
      case 'checkout': {
        // A fresh shopper per checkout so the order total depends on the plan, not on earlier runs.
        userId = `shopper-${this.hexId(10)}`;
        const items = this.int(1, 3);
        for (let i = 0; i < items; i++) {
          const product = this.product();
          add({
            step: 'add_to_cart',
            method: 'POST',
            path: `/api/cart/${userId}/items`,
            body: { productId: product.id, quantity: this.int(1, 2) },
          });
        }
        add({
          step: 'place_order',
          method: 'POST',
          path: `/api/checkout/${userId}`,
          body: { currency: this.currency() },
        });
        break;
      }
    }
    return { index, kind, userId, steps };
  }

  private pickKind(): JourneyKind {
    const r = this.rand();
    let acc = 0;
    for (const k of JOURNEY_KINDS) {
      acc += this.mix[k];
      if (r < acc) return k;
    }
    // Rounding can leave r just above the last boundary; fall back to the last kind with weight.
    return [...JOURNEY_KINDS].reverse().find((k) => this.mix[k] > 0) ?? 'browse';
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.rand() * (max - min + 1));
  }

  private product() {
    return PRODUCTS[Math.floor(this.rand() * PRODUCTS.length)];
  }

  private currency(): string {
    const r = this.rand();
    let acc = 0;
    for (const [code, w] of CURRENCY_WEIGHTS) {
      acc += w;
      if (r < acc) return code;
    }
    return 'USD';
  }
}

/** The first `count` journeys for `seed`: the deterministic plan a load run follows. */
export function planJourneys(seed: number, mix: JourneyMix, count: number): Journey[] {
  const planner = new JourneyPlanner(seed, mix);
  return Array.from({ length: count }, () => planner.next());
}
