import type { CaptureScope } from './capture-scope.js';

/** Whether an entity id belongs to the capture: cluster-scoped (`Kind/name`) or in one of its namespaces. */
export function inScope(entity: string | null | undefined, scope: CaptureScope): boolean {
  if (!entity) return false;
  const parts = entity.split('/');
  return parts.length === 2 || scope.namespaces.includes(parts[0]);
}
