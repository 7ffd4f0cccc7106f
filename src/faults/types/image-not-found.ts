import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { FaultType } from '../fault-type.js';
import { applyPlanned, containerOf, planChange } from '../support/object-snapshot.js';

/** `[host[:port]/]path[:tag][@digest]`, as the container runtime parses an image reference. */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REF = new RegExp(
  `^${COMPONENT}(?::[0-9]+)?(?:/${COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);

const params = z.strictObject({
  container: z.string().optional().meta({ description: 'Container to change; default the first' }),
  image: z.string().regex(IMAGE_REF, 'must be an image reference like acme/shop:0.1.1').optional().meta({
    description:
      'Image the registry does not have; default the current image with the last number of its tag raised by one (acme/shop:0.1.0 → acme/shop:0.1.1)',
  }),
});
type Params = z.output<typeof params>;

/**
 * The release one step after the image's tag, as a deploy of a version whose image was never pushed would
 * name it: `acme/shop:0.1.0` → `acme/shop:0.1.1`. Undefined when the reference has no tag ending in a number
 * (or is pinned by digest), since there is no plausible next version to name.
 */
export function nextImageTag(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const colon = image.lastIndexOf(':');
  if (colon <= image.lastIndexOf('/')) return undefined;
  const m = /^(.*?)([0-9]+)$/.exec(image.slice(colon + 1));
  if (!m) return undefined;
  const next = String(BigInt(m[2]) + 1n).padStart(m[2].length, '0');
  return `${image.slice(0, colon)}:${m[1]}${next}`;
}

/**
 * A release that names an image tag the registry does not have: the new pod cannot pull it (ErrImagePull,
 * then ImagePullBackOff) and never starts, so the rollout stalls (maxUnavailable 0) while the old pods keep
 * serving.
 */
export const imageNotFound: FaultType<Params> = {
  id: 'image-not-found',
  description:
    'Rolls out the target Deployment with a container image tag that does not exist (ImagePullBackOff).',
  params,
  needs: ['objects', 'rollouts', 'image-pulls'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['KubeContainerWaiting'],
  async inject(ctx) {
    const plan = await planChange(ctx.target.objects, ctx.entity, (d) => {
      const c = containerOf(d, ctx.params.container);
      const where = `container ${c.name} of Deployment ${d.metadata.namespace ?? ''}/${d.metadata.name}`;
      const current = String(c.image);
      const image = ctx.params.image ?? nextImageTag(current);
      if (image === undefined) {
        throw new InvalidInputError(
          `the image ${current} of ${where} has no version tag to raise; give the image to roll out`,
        );
      }
      if (image === current) {
        throw new InvalidInputError(`${where} already runs ${current}; give an image it does not run`);
      }
      c.image = image;
    });
    return applyPlanned(
      ctx.target.objects,
      ctx.logger,
      plan,
      `restore Deployment ${formatEntityId(ctx.entity)}`,
    );
  },
};
