import type { KubeObject } from '../kube/kube-object.js';
import { runsDataStore } from '../faults/support/workloads.js';
import { containersOf } from '../kube/containers.js';
import { podSpecOf } from '../kube/pod-template.js';
import { asDeployment } from '../kube/typed-objects.js';
import type { ActivityContext } from './activity-kind.js';

/**
 * The app's Deployments an action may pick, sorted by name so the seeded pick is reproducible: not
 * excluded (unless `includeExcluded`: an action that only holds a setting the faults leave free; or
 * `instant`, a change over at once, before `excludedFrom`), not a
 * data store (Redis, PostgreSQL: stateful), and (for `withService`) running a shop service that reads settings.
 */
export async function eligibleDeployments(
  ctx: ActivityContext,
  opts: { withService?: boolean; minReplicas?: number; includeExcluded?: boolean; instant?: boolean } = {},
): Promise<KubeObject[]> {
  const all = await ctx.target.objects.list('Deployment', ctx.namespace);
  // A change that is over at once may touch the scenario's targets too while the faults are still ahead.
  const free =
    opts.includeExcluded === true ||
    (opts.instant === true && ctx.excludedFrom !== undefined && ctx.now().getTime() < ctx.excludedFrom());
  return all
    .filter((d) => free || !ctx.excluded.has(d.metadata.name))
    .filter((d) => !runsDataStore(d))
    .filter((d) => !opts.withService || serviceOf(d) !== undefined)
    .filter((d) => Number(d.spec?.replicas ?? 1) >= (opts.minReplicas ?? 0))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** A Deployment's pods that are not being deleted, sorted by name so a seeded pick is reproducible. */
export async function livePodsOf(ctx: ActivityContext, d: KubeObject): Promise<KubeObject[]> {
  const selector = asDeployment(d)?.spec?.selector.matchLabels;
  return (await ctx.target.objects.list('Pod', ctx.namespace, selector))
    .filter((p) => !p.metadata.deletionTimestamp)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** The shop service a Deployment runs (its SHOP_SERVICE), which names its run-time settings. */
export function serviceOf(d: KubeObject): string | undefined {
  for (const c of containersOf(podSpecOf(d))) {
    const v = c.env?.find((e) => e.name === 'SHOP_SERVICE')?.value;
    if (v) return v;
  }
  return undefined;
}

/** The element a [0, 1) draw picks, or undefined from an empty list. */
export function pickFrom<T>(items: readonly T[], u: number): T | undefined {
  return items.length === 0 ? undefined : items[Math.min(items.length - 1, Math.floor(u * items.length))];
}
