import type { KubeObject } from '../../kube/kube-object.js';
import { ofKind, type CronJob } from '../../kube/typed-objects.js';
import type { ActivityContext } from '../activity-kind.js';

/** The app's CronJobs, sorted by name so a seeded pick is reproducible. */
export async function cronJobs(ctx: ActivityContext): Promise<CronJob[]> {
  return ofKind(await ctx.target.objects.list('CronJob', ctx.namespace), 'CronJob').sort((a, b) =>
    a.metadata.name.localeCompare(b.metadata.name),
  );
}

/**
 * The Job `kubectl create job <cron>-manual-<epoch> --from=cronjob/<cron>` makes: the CronJob's job
 * template, owned by it, marked `instantiate: manual`, named the way people name a run they start by hand.
 * Not the CronJob controller's `<cron>-<minute>`: a scheduled-looking name at a minute the schedule never
 * fires, beside the manual mark, is a contradiction no cluster shows.
 */
export function jobFromCronJob(cron: CronJob, now: Date): KubeObject {
  const template = cron.spec?.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${cron.metadata.name}-manual-${Math.floor(now.getTime() / 1000)}`,
      namespace: cron.metadata.namespace,
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
}
