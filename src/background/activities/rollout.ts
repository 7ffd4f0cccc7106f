import { formatEntityId } from '../../entities/entity-id.js';
import {
  containerOf,
  markRestart,
  planChange,
  requirePodSpec,
  requirePodTemplate,
} from '../../faults/support/object-snapshot.js';
import type { ActivityKind } from '../activity-kind.js';
import { eligibleDeployments, pickFrom } from '../eligible.js';

/** Harmless environment changes an operator rolls out (tuning, not behaviour). */
const ENV_CHANGES: ReadonlyArray<[name: string, value: string]> = [
  ['UV_THREADPOOL_SIZE', '8'],
  ['UV_THREADPOOL_SIZE', '16'],
  ['TZ', 'UTC'],
  ['NODE_NO_WARNINGS', '1'],
];

/**
 * A routine rollout of another Deployment: a restart (`kubectl rollout restart`), a harmless environment
 * tweak, a CPU request bump, or a re-applied manifest (a new config checksum on the pod template, as a
 * Helm upgrade writes, or a longer termination grace period). New ReplicaSet, new pods, the controllers'
 * events; nothing breaks. Its `kubernetes.io/change-cause`, when the run records one, is written by the
 * run's fault target for faults and background alike (src/runner/change-cause-target.ts).
 */
export const rollout: ActivityKind = {
  id: 'rollout',
  needs: ['objects', 'rollouts'],
  alerts: [],
  plan(rng) {
    const change = rng.pick(['restart', 'env', 'resources', 'manifest'] as const);
    const env = rng.pick(ENV_CHANGES);
    return {
      params: {
        change,
        ...(change === 'env' ? { name: env[0], value: env[1] } : {}),
        ...(change === 'resources' ? { cpuRequest: rng.pick(['60m', '75m', '100m']) } : {}),
        ...(change === 'manifest'
          ? rng.chance(0.5)
            ? { checksum: rng.hex(16) }
            : { gracePeriodSeconds: rng.pick([20, 45, 60]) }
          : {}),
      },
    };
  },
  async run(action, ctx) {
    const d = pickFrom(await eligibleDeployments(ctx), action.pick);
    if (!d) return { target: null, detail: 'no Deployment to roll out' };
    const ref = { namespace: ctx.namespace, kind: 'Deployment', name: d.metadata.name };
    const p = action.params;
    const plan = await planChange(ctx.target.objects, ref, (next) => {
      const c = containerOf(next, undefined);
      if (p.change === 'env') {
        const env = (c.env ??= []);
        const entry = { name: String(p.name), value: String(p.value) };
        const i = env.findIndex((e) => e.name === entry.name);
        if (i >= 0) env[i] = entry;
        else env.push(entry);
      } else if (p.change === 'resources') {
        c.resources = { ...c.resources, requests: { ...c.resources?.requests, cpu: String(p.cpuRequest) } };
      } else if (p.change === 'manifest') {
        const template = requirePodTemplate(next);
        if (p.checksum !== undefined) {
          template.metadata ??= {};
          template.metadata.annotations = {
            ...(template.metadata.annotations ?? {}),
            'checksum/config': String(p.checksum),
          };
        } else {
          requirePodSpec(next).terminationGracePeriodSeconds = Number(p.gracePeriodSeconds);
        }
      } else {
        markRestart(next, ctx.now());
      }
    });
    await ctx.target.objects.apply(plan.next);
    return { target: formatEntityId(ref), detail: `rolled out (${String(p.change)})` };
  },
};
