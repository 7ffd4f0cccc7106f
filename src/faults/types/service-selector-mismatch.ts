import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { asService } from '../../kube/typed-objects.js';
import type { FaultType } from '../fault-type.js';
import { carriersOf, showSelector } from '../support/label-matches.js';
import { applyPlanned, planChange } from '../support/object-snapshot.js';
import { unavailabilityAlerts } from '../support/unavailability-alerts.js';

const NAME_LABEL = 'app.kubernetes.io/name';
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const params = z.strictObject({
  selector: z
    .record(
      z.string().min(1, 'label keys must not be empty'),
      z.string().max(63).regex(LABEL_VALUE, 'must be a label value (alphanumerics, -, _ and .)'),
    )
    .refine((s) => Object.keys(s).length > 0, {
      message: 'must name at least one label (an empty selector would select nothing to manage)',
    })
    .optional()
    .meta({
      description: `The new selector, matching no pod; default the current one with ${NAME_LABEL} suffixed -v2`,
    }),
});
type Params = z.output<typeof params>;

function selectorOf(svc: KubeObject): Record<string, string> | undefined {
  return asService(svc)?.spec?.selector;
}

/** The default near miss: the Service pointed at a `-v2` of its app that nobody has deployed. */
function nearMiss(svc: KubeObject, id: string): Record<string, string> {
  const current = selectorOf(svc) ?? {};
  const name = current[NAME_LABEL];
  if (name === undefined) {
    throw new InvalidInputError(
      `Service ${id} has no ${NAME_LABEL} in its selector to change; give the selector in params.selector`,
    );
  }
  return { ...current, [NAME_LABEL]: `${name}-v2` };
}

/**
 * A Service whose selector no longer matches its pods (a relabelled app, a selector pointed at a version
 * not deployed yet): the endpoints controller empties it, and every connection to it is refused.
 */
export const serviceSelectorMismatch: FaultType<Params> = {
  id: 'service-selector-mismatch',
  description:
    "Changes the target Service's selector to labels no pod carries, leaving it without endpoints.",
  params,
  needs: ['objects', 'service-routing'],
  targetKinds: ['Service'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: (target) => unavailabilityAlerts(target),
  async inject(ctx) {
    const { objects } = ctx.target;
    const id = formatEntityId(ctx.entity);
    let selector: Record<string, string> = {};
    const plan = await planChange(objects, ctx.entity, (svc) => {
      selector = ctx.params.selector ?? nearMiss(svc, id);
      (svc.spec ??= {}).selector = { ...selector };
    });
    // A selector that still matches pods would leave the Service working: refuse it before any change.
    const matched = await carriersOf(objects, ctx.entity.namespace, selector);
    if (matched) {
      throw new InvalidInputError(
        `selector ${showSelector(selector)} matches ${matched}, so Service ${id} would keep its endpoints; choose labels no pod carries`,
      );
    }
    return applyPlanned(objects, ctx.logger, plan, `restore Service ${id}`);
  },
};
