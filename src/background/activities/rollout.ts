import { formatEntityId } from '../../entities/entity-id.js';
import {
  containerOf,
  markRestart,
  planChange,
  requirePodSpec,
} from '../../faults/support/object-snapshot.js';
import type { Container } from '../../kube/kube-object.js';
import {
  ADDRESS_FORMS,
  addressedService,
  rewriteAddress,
  type AddressForm,
} from '../../kube/service-address.js';
import type { ActivityContext, ActivityKind } from '../activity-kind.js';
import { eligibleDeployments, pickFrom } from '../eligible.js';

/**
 * Harmless environment changes, the values the scenarios' own look-guilty changes use among them (debug
 * logging, a timezone): were those values only ever a scenario's, one would name the scenario.
 */
export const ENV_CHANGES: ReadonlyArray<[name: string, value: string]> = [
  ['UV_THREADPOOL_SIZE', '8'],
  ['UV_THREADPOOL_SIZE', '16'],
  ['TZ', 'UTC'],
  ['TZ', 'Europe/Berlin'],
  ['TZ', 'America/Chicago'],
  ['NODE_NO_WARNINGS', '1'],
  ['LOG_LEVEL', 'debug'],
];

const ADDRESS_VARIABLE = /(URL|HOST|ADDR|ADDRESS|ENDPOINT)$/;

/**
 * One env value of the container that addresses a Service of the namespace, rewritten in another form
 * (`http://catalog:8080` → `http://catalog.shop.svc.cluster.local:8080`); undefined when none does (the
 * rollout is then a restart). `u` picks the variable, `v` the form among those it is not written in.
 */
async function equivalentAddressEdit(
  ctx: ActivityContext,
  c: Container,
  u: number,
  v: number,
): Promise<{ name: string; value: string } | undefined> {
  const candidates: Array<{ name: string; value: string; form: AddressForm }> = [];
  for (const e of c.env ?? []) {
    // By its name an address (SHOP_SERVICE=catalog names the service a process is, not one it calls).
    if (e.value === undefined || !ADDRESS_VARIABLE.test(e.name)) continue;
    const a = addressedService(e.value, ctx.namespace);
    if (a && (await ctx.target.objects.get('Service', ctx.namespace, a.service)))
      candidates.push({ name: e.name, value: e.value, form: a.form });
  }
  const pick = pickFrom(candidates, u);
  if (!pick) return undefined;
  const form = pickFrom(
    ADDRESS_FORMS.filter((f) => f !== pick.form),
    v,
  );
  const value = form && rewriteAddress(pick.value, ctx.namespace, form);
  return value ? { name: pick.name, value } : undefined;
}

/**
 * A routine rollout of another Deployment: a restart (`kubectl rollout restart`), a harmless environment
 * tweak, a dependency address rewritten in another form that reaches the same Service, a CPU request
 * bump, or a re-applied manifest with a longer termination grace period. Not a new `checksum/config`
 * annotation: Helm changes it only with the ConfigMap, and the shop's manifests carry none, so a checksum
 * that appeared in the window with no ConfigMap edit beside it marked that rollout as background. New ReplicaSet, new pods, the controllers'
 * events; nothing breaks. Its `kubernetes.io/change-cause`, when the run records one, is written by the
 * run's fault target for faults and background alike (src/runner/change-cause-target.ts).
 */
export const rollout: ActivityKind = {
  id: 'rollout',
  needs: ['objects', 'rollouts'],
  alerts: [],
  plan(rng) {
    const change = rng.pick(['restart', 'env', 'resources', 'manifest', 'address'] as const);
    const env = rng.pick(ENV_CHANGES);
    return {
      params: {
        change,
        ...(change === 'env' ? { name: env[0], value: env[1] } : {}),
        ...(change === 'resources' ? { cpuRequest: rng.pick(['60m', '75m', '100m']) } : {}),
        ...(change === 'manifest' ? { gracePeriodSeconds: rng.pick([20, 45, 60]) } : {}),
        ...(change === 'address' ? { variable: rng.next(), form: rng.next() } : {}),
      },
    };
  },
  async run(action, ctx) {
    const d = pickFrom(await eligibleDeployments(ctx, { instant: true }), action.pick);
    if (!d) return { target: null, detail: 'no Deployment to roll out' };
    const ref = { namespace: ctx.namespace, kind: 'Deployment', name: d.metadata.name };
    const p = action.params;
    // An address written another way that reaches the same Service: an existing setting edited, as the
    // faults that break one edit it, without breaking anything.
    const address =
      p.change === 'address'
        ? await equivalentAddressEdit(ctx, containerOf(d, undefined), Number(p.variable), Number(p.form))
        : undefined;
    const plan = await planChange(ctx.target.objects, ref, (next) => {
      const c = containerOf(next, undefined);
      if (address) {
        const e = c.env?.find((x) => x.name === address.name);
        if (e) e.value = address.value;
      } else if (p.change === 'env') {
        const env = (c.env ??= []);
        const entry = { name: String(p.name), value: String(p.value) };
        const i = env.findIndex((e) => e.name === entry.name);
        if (i >= 0) env[i] = entry;
        else env.push(entry);
      } else if (p.change === 'resources') {
        c.resources = { ...c.resources, requests: { ...c.resources?.requests, cpu: String(p.cpuRequest) } };
      } else if (p.change === 'manifest') {
        requirePodSpec(next).terminationGracePeriodSeconds = Number(p.gracePeriodSeconds);
      } else {
        markRestart(next, ctx.now());
      }
    });
    await ctx.target.objects.apply(plan.next);
    const what = address ? `address: ${address.name}=${address.value}` : String(p.change);
    return { target: formatEntityId(ref), detail: `rolled out (${what})` };
  },
};
