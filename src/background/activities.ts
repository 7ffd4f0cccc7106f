import type { ActivityKindId } from './background-action.js';
import type { ActivityKind } from './activity-kind.js';
import { cacheBypass } from './activities/cache-bypass.js';
import { chronicErrors } from './activities/chronic-errors.js';
import { configEdit } from './activities/config-edit.js';
import { errorBlip } from './activities/error-blip.js';
import { errorBurst } from './activities/error-burst.js';
import { failingJob } from './activities/failing-job.js';
import { job } from './activities/job.js';
import { latencyBlip } from './activities/latency-blip.js';
import { probeRestart } from './activities/probe-restart.js';
import { release } from './activities/release.js';
import { reschedule } from './activities/reschedule.js';
import { rollout } from './activities/rollout.js';
import { scale } from './activities/scale.js';

/** Every background activity kind: one file each under activities/, one line here. */
export const ACTIVITIES: ReadonlyMap<ActivityKindId, ActivityKind> = new Map(
  [
    rollout,
    scale,
    job,
    failingJob,
    reschedule,
    probeRestart,
    latencyBlip,
    errorBlip,
    chronicErrors,
    cacheBypass,
    release,
    configEdit,
    errorBurst,
  ].map((a) => [a.id, a]),
);
