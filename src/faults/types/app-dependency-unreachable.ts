import { z } from 'zod';
import { flagFault } from '../support/flag-fault.js';

/** The dependencies the type can cut (the generator's recipe picks among these). */
export const UNREACHABLE_DEPENDENCIES = [
  'catalog',
  'cart',
  'checkout',
  'payment',
  'shipping',
  'currency',
  'redis',
] as const;

const params = z.strictObject({
  dependency: z
    .enum(UNREACHABLE_DEPENDENCIES)
    .meta({ description: 'The dependency the target can no longer reach' }),
  // A loopback port nothing listens on: connection refused, never traffic to a foreign host.
  address: z
    .string()
    .regex(/^(127\.\d+\.\d+\.\d+|localhost):\d+$/, 'must be a loopback host:port')
    .default('127.0.0.1:9')
    .meta({ description: 'Address dialled instead of the dependency (loopback only)' }),
});

export const appDependencyUnreachable = flagFault({
  id: 'app-dependency-unreachable',
  description:
    'The target service dials a wrong address for one named dependency, so every call to it fails.',
  params,
  setting: 'upstream',
  value: (p) => ({ dependency: p.dependency, address: p.address }),
  // Redis is not called over HTTP: its failures count in redis_commands_total, not http_client_requests_total.
  expectedAlerts: (_target, p) =>
    p.dependency === 'redis' ? ['ShopRedisCommandErrors'] : ['ShopDependencyErrors'],
});
