import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { labelsMatch } from '../../kube/kube-object.js';
import type { FaultType } from '../fault-type.js';
import { applyPlanned, planChange, requirePodSpec } from '../support/object-snapshot.js';

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label key as Kubernetes accepts it: `[prefix/]name`, prefix a DNS subdomain, name at most 63 characters. */
function isLabelKey(key: string): boolean {
  const i = key.lastIndexOf('/');
  const prefix = i >= 0 ? key.slice(0, i) : undefined;
  const name = key.slice(i + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

const params = z.strictObject({
  selector: z
    .record(z.string(), z.string())
    .superRefine((sel, ctx) => {
      if (Object.keys(sel).length === 0)
        ctx.addIssue({ code: 'custom', message: 'must name at least one label' });
      for (const [k, v] of Object.entries(sel)) {
        if (!isLabelKey(k)) ctx.addIssue({ code: 'custom', path: [k], message: 'not a valid label key' });
        else if (v.length > 63 || (v !== '' && !LABEL_NAME.test(v)))
          ctx.addIssue({ code: 'custom', path: [k], message: 'not a valid label value' });
      }
    })
    .default({ 'node.kubernetes.io/instance-type': 'm5.2xlarge' })
    .meta({
      description:
        'Node labels the pods are pinned to (merged into any nodeSelector); no node may carry them all',
    }),
});
type Params = z.output<typeof params>;

/**
 * A release pinned to nodes that do not exist (an instance type from another cluster, a node pool not yet
 * created): the scheduler finds no node for the new pod, which stays Pending (FailedScheduling), and the
 * rollout stalls while the old pods keep serving.
 */
export const nodeSelectorMismatch: FaultType<Params> = {
  id: 'node-selector-mismatch',
  description: 'Rolls out the target Deployment with a nodeSelector no node satisfies (pods stay Pending).',
  params,
  needs: ['objects', 'rollouts', 'scheduling'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['KubePodPending'],
  async inject(ctx) {
    let selector: Record<string, string> = {};
    const plan = await planChange(ctx.target.objects, ctx.entity, (d) => {
      const spec = requirePodSpec(d);
      spec.nodeSelector = { ...(spec.nodeSelector ?? {}), ...ctx.params.selector };
      selector = spec.nodeSelector;
    });
    // A node that carries the labels would take the pod, and nothing would happen.
    const fits = (await ctx.target.objects.list('Node'))
      .filter((n) => labelsMatch(selector, n.metadata.labels))
      .map((n) => n.metadata.name)
      .sort();
    if (fits.length > 0) {
      throw new InvalidInputError(
        `${fits.length === 1 ? 'node' : 'nodes'} ${fits.join(', ')} ${fits.length === 1 ? 'matches' : 'match'} the selector ${Object.entries(
          selector,
        )
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}, so the pods would still be scheduled; choose labels no node carries`,
      );
    }
    return applyPlanned(
      ctx.target.objects,
      ctx.logger,
      plan,
      `restore Deployment ${formatEntityId(ctx.entity)}`,
    );
  },
};
