import { CONFIG_FILE_SCHEMAS } from '../../../apps/shop/src/runtime/config.js';

/** Services whose config file has this key, per the shop's config schemas. */
const servicesWith = (key: string): string[] =>
  Object.entries(CONFIG_FILE_SCHEMAS)
    .filter(([, schema]) => key in schema.shape)
    .map(([service]) => service);

/** The shop services that publish order events: their config says which event format. */
export const ORDER_EVENT_PRODUCERS: readonly string[] = servicesWith('orderEventFormat');

/** The shop services that consume the order stream: they name it and publish nothing to it. */
export const ORDER_STREAM_CONSUMERS: readonly string[] = servicesWith('orderStream').filter(
  (s) => !ORDER_EVENT_PRODUCERS.includes(s),
);
