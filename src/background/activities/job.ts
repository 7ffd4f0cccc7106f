import type { KubeObject } from '../../kube/kube-object.js';
import { ofKind } from '../../kube/typed-objects.js';
import type { ActivityKind } from '../activity-kind.js';
import { pickFrom } from '../eligible.js';

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
    const crons = ofKind(await ctx.target.objects.list('CronJob', ctx.namespace), 'CronJob').sort((a, b) =>
      a.metadata.name.localeCompare(b.metadata.name),
    );
    const cron = pickFrom(crons, action.pick);
    if (!cron) return { target: null, detail: 'no CronJob to start a Job from' };
    const template = cron.spec?.jobTemplate;
    // The CronJob controller names its Jobs after the scheduled minute; a manual run looks the same.
    const name = `${cron.metadata.name}-${Math.floor(ctx.now().getTime() / 60_000)}`;
    const jobObject: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: ctx.namespace,
        labels: { ...template?.metadata?.labels },
        annotations: {
          ...template?.metadata?.annotations,
          'cronjob.kubernetes.io/instantiate': 'manual',
        },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: cron.metadata.name,
            uid: cron.metadata.uid ?? '',
            controller: true,
          },
        ],
      },
      spec: structuredClone({ ...template?.spec }),
    };
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
