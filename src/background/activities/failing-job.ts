import type { EnvVar } from '../../kube/kube-object.js';
import type { CronJob } from '../../kube/typed-objects.js';
import type { ActivityKind } from '../activity-kind.js';
import { pickFrom } from '../eligible.js';
import { cronJobs, jobFromCronJob } from './job-from-cronjob.js';

const HTTP_ADDRESS = /^(https?:\/\/[^/:\s]+):(\d{1,5})(\/.*)?$/;

/**
 * The env entries of a CronJob's containers that name a dependency the job cannot work without: a
 * literal http(s) address with a port in a `*_URL`. Telemetry endpoints (`OTEL_*`) are not: a job whose
 * exporter fails still does its work.
 */
function addressVars(cron: CronJob): EnvVar[] {
  const containers = cron.spec?.jobTemplate.spec?.template.spec?.containers ?? [];
  return containers.flatMap((c) =>
    (c.env ?? []).filter(
      (e) => /_URL$/.test(e.name) && !e.name.startsWith('OTEL_') && HTTP_ADDRESS.test(e.value ?? ''),
    ),
  );
}

/**
 * A chronic batch failure beside the incident, as every real cluster has one: a CronJob's dependency
 * address is edited to a port nothing serves (the one an older release listened on) and a run is started
 * to try it. Its pods fail to connect and log why, the Job controller retries up to the template's
 * backoffLimit and gives up (`BackoffLimitExceeded`, a Warning event, then `KubeJobFailed`). Nothing the
 * users call depends on the job: it is evidence an agent must rule out. The Job is removed when observation
 * ends; the CronJob keeps the edit until the next run's reset re-applies the manifests, as rollouts do.
 */
export const failingJob: ActivityKind = {
  id: 'failing-job',
  needs: ['objects', 'jobs'],
  // The Job gives up for good (BackoffLimitExceeded) and stays until the run's end: KubeJobFailed, as a
  // chronic batch failure raises in any cluster.
  alerts: ['KubeJobFailed'],
  plan(rng) {
    return { params: { portOffset: rng.pick([1, 10, 1000]), which: rng.next() } };
  },
  async run(action, ctx) {
    const crons = (await cronJobs(ctx)).filter(
      (c) => !ctx.excluded.has(c.metadata.name) && addressVars(c).length > 0,
    );
    const cron = pickFrom(crons, action.pick);
    if (!cron) return { target: null, detail: 'no CronJob with a dependency address' };
    const edited = structuredClone(cron);
    const entry = pickFrom(addressVars(edited), Number(action.params.which));
    const m = HTTP_ADDRESS.exec(entry?.value ?? '');
    if (!entry || !m) return { target: null, detail: 'no CronJob with a dependency address' };
    const port = (Number(m[2]) + Number(action.params.portOffset)) % 65_536 || 1;
    const before = entry.value;
    entry.value = `${m[1]}:${port}${m[3] ?? ''}`;
    delete edited.metadata.resourceVersion;
    await ctx.target.objects.apply(edited);
    // A run started by hand to try the edit, named as every run started by hand is (job-from-cronjob.ts).
    const jobObject = jobFromCronJob(edited, ctx.now());
    const name = jobObject.metadata.name;
    await ctx.target.objects.apply(jobObject);
    return {
      target: `${ctx.namespace}/Job/${name}`,
      detail: `CronJob ${cron.metadata.name}: ${entry.name} ${before} → ${entry.value}, then a run started from it`,
      undo: async () => {
        await ctx.target.objects.delete('Job', ctx.namespace, name);
      },
    };
  },
};
