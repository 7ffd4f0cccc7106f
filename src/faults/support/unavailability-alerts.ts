import type { EntityRef } from '../../entities/entity-id.js';
import { REDIS_SERVICE } from '../../platform/app-namespaces.js';

/**
 * The alert that shows a workload's clients losing it. Shop services call each other over HTTP, so the
 * caller's ShopDependencyErrors fires; Redis is reached over its own protocol, counted by cart's
 * redis_commands_total (ShopRedisCommandErrors); and nothing inside the shop calls the frontend, whose
 * loss shows as the storefront's traffic drop.
 */
export function unavailabilityAlerts(target: EntityRef): string[] {
  if (target.name === 'frontend') return ['ShopFrontendTrafficDrop'];
  return failedCallAlerts(target.name);
}

/**
 * The alert a caller's failed calls to the workload or Service `callee` raise: ShopRedisCommandErrors for
 * Redis (its own protocol), ShopDependencyErrors for a shop service over HTTP.
 */
export function failedCallAlerts(callee: string): string[] {
  return callee === REDIS_SERVICE ? ['ShopRedisCommandErrors'] : ['ShopDependencyErrors'];
}
