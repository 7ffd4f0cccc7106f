import type { ActivityKindId } from './background-action.js';

export const BACKGROUND_PROFILES = ['quiet', 'typical', 'busy'] as const;
export type BackgroundProfile = (typeof BACKGROUND_PROFILES)[number];

/**
 * How many actions of each kind one run gets, per profile; a scenario may override any count. A fraction
 * is the chance of one more (0.5: half the runs have one), so that what a snapshot shows cannot be
 * learnt as a constant. A new kind starts at 0 everywhere (opt-in through `counts`) and joins the
 * profiles with a corpus of every shipped scenario run with it on: a profile change alters every bundle.
 */
export const PROFILE_COUNTS: Readonly<Record<BackgroundProfile, Readonly<Record<ActivityKindId, number>>>> = {
  quiet: {
    rollout: 0,
    scale: 0,
    job: 0,
    'failing-job': 0,
    reschedule: 0,
    'probe-restart': 0,
    'latency-blip': 0,
    'error-blip': 0,
    'chronic-errors': 0,
    'cache-bypass': 0,
    release: 0,
    'config-edit': 0,
    'error-burst': 0,
  },
  typical: {
    rollout: 2,
    scale: 1,
    job: 1,
    'failing-job': 0.5,
    reschedule: 1,
    'probe-restart': 0.4,
    'latency-blip': 2,
    'error-blip': 1,
    'chronic-errors': 0.3,
    'cache-bypass': 1,
    release: 1,
    'config-edit': 0.5,
    'error-burst': 0.5,
  },
  busy: {
    rollout: 4,
    scale: 2,
    job: 2,
    'failing-job': 1,
    reschedule: 2,
    'probe-restart': 0.8,
    'latency-blip': 3,
    'error-blip': 2,
    'chronic-errors': 0.6,
    'cache-bypass': 2,
    release: 2,
    'config-edit': 1,
    'error-burst': 1,
  },
};

/** Chance that one of the run's rollouts lands within ±20 s of the first fault (a change that looks guilty). */
export const COINCIDENT_ROLLOUT_CHANCE: Readonly<Record<BackgroundProfile, number>> = {
  quiet: 0,
  typical: 0.5,
  busy: 0.8,
};
