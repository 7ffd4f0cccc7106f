import { PRODUCT_IDS } from '../data/products.js';

/** One schema change, applied once and recorded in schema_migrations. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Units on hand per product when the stock table is created: months of orders at the shop's usual rate. */
export const INITIAL_STOCK = 1_000_000;
/**
 * Orders already in the table before the first run, spread over the previous 90 days: a database with
 * history plans and performs like one (index use, table size), and a fresh one would not.
 */
export const HISTORIC_ORDERS = 200_000;

const productRows = PRODUCT_IDS.map((id) => `('${id}', ${INITIAL_STOCK})`).join(',\n  ');

/**
 * The shop's schema, oldest first. Never edit an applied migration: add the next one (a running database
 * has recorded it as done and would not run it again).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'stock',
    sql: `CREATE TABLE stock (
  product_id text PRIMARY KEY,
  available integer NOT NULL CHECK (available >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO stock (product_id, available) VALUES
  ${productRows};`,
  },
  {
    version: 2,
    name: 'orders',
    sql: `CREATE TABLE orders (
  id uuid PRIMARY KEY,
  user_id text NOT NULL,
  total_usd numeric(12, 2) NOT NULL,
  currency text NOT NULL,
  items integer NOT NULL,
  status text NOT NULL DEFAULT 'placed',
  created_at timestamptz NOT NULL DEFAULT now(),
  fulfilled_at timestamptz
);
CREATE INDEX orders_user_id_created_at_idx ON orders (user_id, created_at);
CREATE INDEX orders_status_idx ON orders (status) WHERE status <> 'fulfilled';`,
  },
  {
    version: 3,
    name: 'reservations',
    sql: `CREATE TABLE reservations (
  order_id uuid NOT NULL,
  product_id text NOT NULL REFERENCES stock (product_id),
  quantity integer NOT NULL CHECK (quantity > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, product_id)
);`,
  },
  {
    version: 4,
    name: 'ledger',
    sql: `CREATE TABLE ledger (
  order_id uuid PRIMARY KEY,
  user_id text NOT NULL,
  amount_usd numeric(12, 2) NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);`,
  },
  {
    version: 5,
    name: 'order history',
    // md5() gives stable uuids and user ids, so every fresh database holds the same history.
    sql: `INSERT INTO orders (id, user_id, total_usd, currency, items, status, created_at, fulfilled_at)
SELECT md5('historic-order-' || g)::uuid,
       'user-' || (g % 5000),
       round((10 + (g % 97) * 3.17)::numeric, 2),
       (ARRAY['USD', 'EUR', 'GBP', 'JPY'])[1 + g % 4],
       1 + g % 5,
       'fulfilled',
       now() - make_interval(secs => g * (7776000.0 / ${HISTORIC_ORDERS})),
       now() - make_interval(secs => g * (7776000.0 / ${HISTORIC_ORDERS})) + interval '2 minutes'
FROM generate_series(1, ${HISTORIC_ORDERS}) AS g;
INSERT INTO ledger (order_id, user_id, amount_usd, recorded_at)
SELECT id, user_id, total_usd, created_at + interval '1 minute' FROM orders;
ANALYZE;`,
  },
];
