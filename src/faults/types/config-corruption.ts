import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import type { KubeObject } from '../../kube/kube-object.js';
import type { FaultType } from '../fault-type.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { editConfigMapAndRollOut } from '../support/config-rollout.js';
import { planChange } from '../support/object-snapshot.js';
import { setJsonValueInText } from '../../util/json-text-edit.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

const params = z.strictObject({
  key: z.string().default('config.json').meta({ description: 'ConfigMap key holding the JSON config' }),
  mode: z
    .enum(['truncate', 'set'])
    .default('truncate')
    .meta({ description: 'truncate: cut the file in half (invalid JSON); set: write one bad value' }),
  path: z
    .string()
    .regex(/^[^.]+(\.[^.]+)*$/, 'must be dot-separated keys, e.g. timeoutsMs.payment')
    // Those keys would reach Object.prototype while the path is walked, not the config.
    .refine((p) => !p.split('.').some((k) => FORBIDDEN_KEYS.has(k)), {
      message: 'must not use __proto__, prototype or constructor as a key',
    })
    .optional()
    .meta({ description: 'With mode=set: dotted path inside the JSON, e.g. timeoutsMs.payment' }),
  value: z.unknown().optional().meta({ description: 'With mode=set: the value written at path' }),
  restart: z.boolean().default(true).meta({
    description: 'Roll out the Deployments that mount the ConfigMap, as the operator who edited it would',
  }),
});
type Params = z.output<typeof params>;

/** Whether a parsed JSON value holds keys; the path walk goes into arrays too, by index. */
function holdsKeys(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (holdsKeys(next)) {
      cur = next;
    } else {
      const created: Record<string, unknown> = {};
      cur[p] = created;
      cur = created;
    }
  }
  cur[parts[parts.length - 1]] = value;
}

/** `timeoutsMs.<dep>` set to a positive integer, or `dependencies.<dep>` to an http(s) URL. */
function validButWrongDependencySetting(path: string | undefined, value: unknown): boolean {
  if (path === undefined) return false;
  if (/^timeoutsMs\.[^.]+$/.test(path))
    return typeof value === 'number' && Number.isInteger(value) && value > 0;
  if (/^dependencies\.[^.]+$/.test(path)) return typeof value === 'string' && /^https?:\/\//.test(value);
  return false;
}

/**
 * Config keys that refuse business above a limit with a 4xx, and the values that refuse enough orders for
 * the alert (more than a quarter of them, over a minute), given the shop's checkout journeys: 1-3 items of
 * 5-110 USD, 1-2 units each.
 * - payment's `providerLimitUsd` (402 for a charge over it): from 0 to 150 USD; at 150 three orders in four
 *   already pass.
 * - inventory's `maxUnitsPerOrder` (422 for an order of more units): from 1 to 3; at 3 about 38 % of orders
 *   are refused, at 4 only the three-item orders of 5-6 units (17 %).
 * - cart's `maxItems` (409 for a new product past that many): 0 only, which empties every new cart, so
 *   checkout refuses the order (400, cart is empty); at 1 the first product still goes in and the order
 *   is placed with it.
 * A scenario still checks the share by running.
 */
export const BUSINESS_LIMITS: Readonly<
  Record<string, { min: number; alertingMax: number; integer: boolean }>
> = {
  providerLimitUsd: { min: 0, alertingMax: 150, integer: false },
  maxUnitsPerOrder: { min: 1, alertingMax: 3, integer: true },
  maxItems: { min: 0, alertingMax: 0, integer: true },
};

export const BUSINESS_LIMIT_KEYS: readonly string[] = Object.keys(BUSINESS_LIMITS);

/** A business limit set to a number the service's schema accepts and low enough to refuse many orders. */
function validButWrongBusinessLimit(path: string | undefined, value: unknown): boolean {
  const limit = path === undefined ? undefined : BUSINESS_LIMITS[path];
  return (
    limit !== undefined &&
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!limit.integer || Number.isInteger(value)) &&
    value >= limit.min &&
    value <= limit.alertingMax
  );
}

/** The corrupted text of the configured key; refuses (before anything changes) when it cannot be produced. */
function corrupt(cm: KubeObject, id: string, p: Params): string {
  const original = cm.data?.[p.key];
  if (original === undefined) {
    const keys = Object.keys(cm.data ?? {});
    throw new InvalidInputError(
      `ConfigMap ${id} has no key "${p.key}"${keys.length > 0 ? `; its keys: ${keys.join(', ')}` : ''}`,
    );
  }
  if (p.mode === 'truncate') return original.slice(0, Math.max(1, Math.floor(original.length / 2)));
  let json: unknown;
  try {
    json = JSON.parse(original);
  } catch {
    throw new InvalidInputError(
      `key "${p.key}" of ConfigMap ${id} is not JSON, so mode "set" cannot edit it`,
    );
  }
  if (!holdsKeys(json) || Array.isArray(json)) {
    throw new InvalidInputError(`key "${p.key}" of ConfigMap ${id} is not a JSON object`);
  }
  // Edited in place, as by hand: a file rewritten from top to bottom would stand out in any diff of it.
  const inPlace = setJsonValueInText(original, (p.path ?? '').split('.'), p.value);
  if (inPlace !== undefined) return inPlace;
  setPath(json, p.path ?? '', p.value);
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** A broken edit to a service's config file, followed by the rollout that picks it up. */
export const configCorruption: FaultType<Params> = {
  id: 'config-corruption',
  description:
    'Corrupts a ConfigMap (invalid JSON or one bad value) and rolls out the Deployments that mount it.',
  params: params.refine((p) => p.mode !== 'set' || p.path !== undefined, {
    message: 'mode "set" needs a path',
    path: ['path'],
  }),
  needs: ['objects', 'rollouts'],
  targetKinds: ['ConfigMap'],
  groundTruth: (target) => [formatEntityId(target)],
  // A truncated file, or a value the service refuses, crashes it at start. A valid but wrong dependency
  // setting (a timeout shorter than the callee answers in, an address that refuses) lets it start, and
  // its calls fail instead. A valid but wrong business limit fails nothing: orders are refused with a 4xx.
  expectedAlerts: (_target, p) => {
    if (p.mode !== 'set') return ['KubePodCrashLooping'];
    if (validButWrongDependencySetting(p.path, p.value)) return ['ShopDependencyErrors'];
    if (validButWrongBusinessLimit(p.path, p.value)) return ['ShopOrdersRejected'];
    return ['KubePodCrashLooping'];
  },
  async inject(ctx) {
    const { objects } = ctx.target;
    const id = formatEntityId(ctx.entity);
    // Everything that can be refused (missing key, unparseable JSON) is decided before the first change.
    const configMap = await planChange(objects, ctx.entity, (obj) => {
      obj.data = { ...(obj.data ?? {}), [ctx.params.key]: corrupt(obj, id, ctx.params) };
    });
    return editConfigMapAndRollOut({
      objects,
      logger: ctx.logger,
      configMap: ctx.entity,
      plan: configMap,
      restart: ctx.params.restart,
      rolledOut: 'rolled out with the corrupted config',
    });
  },
};
