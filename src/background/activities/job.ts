import type { ActivityKind } from '../activity-kind.js';
import { pickFrom } from '../eligible.js';
import { cronJobs, jobFromCronJob } from './job-from-cronjob.js';

/**
 * A batch Job started from one of the app's CronJobs, as `kubectl create job --from=cronjob/...` does:
 * its pod runs, does real work (a short load spike) and completes, with the job controller's events.
 */
export const job: ActivityKind = {
  id: 'job',
  needs: ['objects', 'jobs'],
  alerts: [],
  plan() {
    return { params: {} };
  },
  async run(action, ctx) {
    const cron = pickFrom(await cronJobs(ctx), action.pick);
    if (!cron) return { target: null, detail: 'no CronJob to start a Job from' };
    const jobObject = jobFromCronJob(cron, ctx.now());
    const name = jobObject.metadata.name;
    await ctx.target.objects.apply(jobObject);
    return {
      target: `${ctx.namespace}/Job/${name}`,
      detail: `Job started from CronJob ${cron.metadata.name}`,
      // A run leaves no Job behind for the next one (its own history would depend on the order of runs).
      undo: async () => {
        await ctx.target.objects.delete('Job', ctx.namespace, name);
      },
    };
  },
};
