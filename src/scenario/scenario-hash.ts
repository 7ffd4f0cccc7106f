import { createHash } from 'node:crypto';
import type { Scenario } from './scenario.js';

/**
 * sha256 (hex) of the canonical JSON of a scenario's metadata and resolved spec. Two files that mean the
 * same thing (key order, comments, `2m` vs `120s`, `shop/deploy/x` vs `shop/Deployment/x`) hash the same;
 * where the file lives does not count.
 */
export function scenarioHash(scenario: Scenario): string {
  const { apiVersion, kind, metadata, spec } = scenario;
  return createHash('sha256').update(canonicalJson({ apiVersion, kind, metadata, spec })).digest('hex');
}

/** JSON with object keys sorted at every level and no whitespace; undefined fields are left out. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}
