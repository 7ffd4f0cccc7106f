import { createHmac } from 'node:crypto';

/**
 * Bundle ids are opaque: keyed with the corpus secret, so the public scenario id, seed and repeat cannot
 * be brute-forced back from an id. Deterministic for whoever holds the secret, so a corpus can be resumed:
 * the same secret, scenario, seed and repeat give the same id.
 */
export function bundleIdFor(secret: string, scenarioId: string, seed: number, repeat: number): string {
  const h = createHmac('sha256', secret).update(`bundle\n${scenarioId}\n${seed}\n${repeat}`).digest('hex');
  return `incident-${h.slice(0, 12)}`;
}
