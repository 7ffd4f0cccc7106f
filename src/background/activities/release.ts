import { formatEntityId } from '../../entities/entity-id.js';
import { parseImageRef } from '../../versions/image-ref.js';
import { containerOf, planChange } from '../../faults/support/object-snapshot.js';
import type { ActivityKind } from '../activity-kind.js';
import { eligibleDeployments, pickFrom } from '../eligible.js';

/** `repo:tag` → `repo:<base>-<n>-g<hash>`, the tag a build of a later commit gets (`git describe`). */
export function buildTag(image: string, commits: number, hash: string): string | undefined {
  const ref = parseImageRef(image);
  if (!ref?.tag || ref.digest) return undefined;
  // A tag that is already a build of a release keeps its release: 0.1.0-4-gabc → 0.1.0-<n>-g<hash>.
  const release = ref.tag.replace(/-\d+-g[0-9a-f]+$/, '');
  return `${ref.name}:${release}-${commits}-g${hash}`;
}

/**
 * A routine release of another Deployment: its image moves to a newer build of the same release (a tag as
 * CI writes it, `0.1.0-12-g3f9c2ab`), the most common change a production cluster sees. Nothing breaks; it
 * rolls out like any change and, in a run that records change causes, reads `kubectl set image`. Needs a
 * substrate that runs every build of the app's image (`release-builds`): the local one does (an image is a
 * command there); a cluster needs those tags loaded.
 */
export const release: ActivityKind = {
  id: 'release',
  needs: ['objects', 'rollouts', 'release-builds'],
  alerts: [],
  plan(rng) {
    return { params: { commits: rng.int(1, 40), hash: rng.hex(7) } };
  },
  async run(action, ctx) {
    const candidates = (await eligibleDeployments(ctx, { instant: true })).filter((d) => {
      const image = containerOf(d, undefined).image;
      return image !== undefined && buildTag(image, 1, '0') !== undefined;
    });
    const d = pickFrom(candidates, action.pick);
    if (!d) return { target: null, detail: 'no Deployment to release' };
    const ref = { namespace: ctx.namespace, kind: 'Deployment', name: d.metadata.name };
    let to = '';
    const plan = await planChange(ctx.target.objects, ref, (next) => {
      const c = containerOf(next, undefined);
      to =
        buildTag(String(c.image), Number(action.params.commits), String(action.params.hash)) ??
        String(c.image);
      c.image = to;
    });
    await ctx.target.objects.apply(plan.next);
    return { target: formatEntityId(ref), detail: `released ${to}` };
  },
};
