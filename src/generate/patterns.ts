/** The shapes of incident the generator composes; a scenario carries its patterns as tags. */
export const PATTERNS = {
  single: 'one fault, its symptom wherever the call graph takes it',
  'multi-hop': 'the cause two or more calls below the storefront, so the loudest alert is elsewhere',
  'two-causes': 'two independent faults at once; both are root causes',
  distractor:
    'a harmless change (debug logging, a timezone, a thread pool size) beside the cause, in the same minute',
  delayed: 'the fault comes late in the run, after more routine activity has happened',
  partial: 'only a share of requests fails or slows down',
  'wrong-value': 'a valid but wrong value (a wrong port, a timeout too short), not a crash',
  coincident: 'busy routine activity: several rollouts around the cause',
  latent:
    'a broken config lies dormant (nothing restarts) until a harmless rollout a minute or two later restarts its readers',
  'noisy-neighbour':
    "a neighbour using the target's CPU or memory budget: the target saturates, nothing of its own changed",
  'latent-condition':
    "a service deployed long ago with a liveness probe that asks its readiness check: a dependency's outage, a hop or more away, becomes that service's crash loop",
} as const;

export type Pattern = keyof typeof PATTERNS;
export const PATTERN_IDS = Object.keys(PATTERNS) as Pattern[];

export function isPattern(p: string): p is Pattern {
  return Object.hasOwn(PATTERNS, p);
}
