import type { EntityRef } from '../../entities/entity-id.js';
import { REDIS_SERVICE } from '../../platform/app-namespaces.js';

/**
 * The alert that shows a workload's clients losing it. Shop services call each other over HTTP, so the
 * caller's ShopDependencyErrors fires; Redis is reached over its own protocol, counted by cart's
 * redis_commands_total (ShopRedisCommandErrors); and nothing inside the shop calls the frontend, whose
 * loss shows as the storefront's traffic drop.
 */
export function unavailabilityAlerts(target: EntityRef): string[] {
  if (target.name === REDIS_SERVICE) return ['ShopRedisCommandErrors'];
  if (target.name === 'frontend') return ['ShopFrontendTrafficDrop'];
  return ['ShopDependencyErrors'];
}
