import { z } from 'zod';
import { formatEntityId, type EntityRef } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { asDeployment, type NetworkPolicy } from '../../kube/typed-objects.js';
import { leakPatterns } from '../../bundle/leak-rule.js';
import type { FaultType, Undo } from '../fault-type.js';
import { carriersOf, showSelector } from '../support/label-matches.js';
import { requireObject } from '../support/object-snapshot.js';
import { deletePodsOf } from '../support/restart-pods.js';
import { injectOrRollBack } from '../support/roll-back.js';
import { unavailabilityAlerts } from '../support/unavailability-alerts.js';

const ID = 'network-policy-deny';
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** Labels of the target Deployment the policy carries too, as its author would have labelled it. */
const COPIED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/part-of'];

const params = z.strictObject({
  name: z
    .string()
    .max(253)
    .regex(DNS_SUBDOMAIN, 'must be a lower-case DNS name, e.g. cart-allow-ingress')
    // The policy is captured with the snapshot: its name must not give the staged incident away.
    .refine((n) => !leakPatterns([ID]).some((p) => p.test(n)), {
      message: 'must not name the testbed or its trade (it would show in the snapshot)',
    })
    .optional()
    .meta({ description: 'Name of the NetworkPolicy created; default `<target>-allow-ingress`' }),
  allowFrom: z
    .record(
      z.string().min(1, 'label keys must not be empty'),
      z.string().max(63).regex(LABEL_VALUE, 'must be a label value (alphanumerics, -, _ and .)'),
    )
    .refine((s) => Object.keys(s).length > 0, {
      message: 'must name at least one label (an empty pod selector admits every pod of the namespace)',
    })
    .default({ app: 'shop' })
    .meta({
      description:
        "Pod labels the policy admits from the target's namespace; no pod may carry them, so every caller is shut out",
    }),
  restart: z.boolean().default(true).meta({
    description:
      "Delete the target's pods after creating the policy, so no connection opened before it (which CNIs keep allowing) survives",
  }),
});
type Params = z.output<typeof params>;

const policyName = (target: EntityRef, p: Params): string => p.name ?? `${target.name}-allow-ingress`;

function policyRef(target: EntityRef, p: Params): EntityRef {
  return { namespace: target.namespace, kind: 'NetworkPolicy', name: policyName(target, p) };
}

/**
 * An ingress allow-list for the target's pods whose only rule admits a label no pod carries, as an
 * operator's policy with a mistyped label would be: every connection into the pods from another pod
 * (callers, Prometheus) is dropped, while the kubelet's probes from the node still pass.
 */
export const networkPolicyDeny: FaultType<Params> = {
  id: ID,
  description:
    "Creates a NetworkPolicy over the target Deployment's pods that admits ingress only from a label no pod carries.",
  params,
  needs: ['objects', 'network-policy'],
  targetKinds: ['Deployment'],
  // The policy, not the Deployment it isolates: deleting or fixing it is the repair.
  groundTruth: (target, p) => [formatEntityId(policyRef(target, p))],
  expectedAlerts: (target) => unavailabilityAlerts(target),
  async inject(ctx) {
    const { objects } = ctx.target;
    const ref = policyRef(ctx.entity, ctx.params);
    const id = formatEntityId(ref);
    const deploy = await requireObject(objects, ctx.entity);
    const podSelector = asDeployment(deploy)?.spec?.selector;
    if (!podSelector || Object.keys(podSelector).length === 0) {
      throw new InvalidInputError(`Deployment ${formatEntityId(ctx.entity)} has no pod selector to isolate`);
    }
    // An undo deletes the policy by name: it must never be one that was there before.
    if (await objects.get('NetworkPolicy', ref.namespace, ref.name)) {
      throw new InvalidInputError(`NetworkPolicy ${id} already exists; give another name in params.name`);
    }
    const carriers = await carriersOf(objects, ref.namespace, ctx.params.allowFrom);
    if (carriers) {
      throw new InvalidInputError(
        `allowFrom ${showSelector(ctx.params.allowFrom)} matches ${carriers}, which the policy would let in; choose labels no pod carries`,
      );
    }
    const labels = Object.fromEntries(
      COPIED_LABELS.flatMap((k) => {
        const v = deploy.metadata.labels?.[k];
        return v === undefined ? [] : [[k, v]];
      }),
    );
    const policy: NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: ref.name,
        namespace: ref.namespace,
        ...(Object.keys(labels).length > 0 ? { labels } : {}),
      },
      spec: {
        podSelector: structuredClone(podSelector),
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { ...ctx.params.allowFrom } } }] }],
      },
    };
    const undo: Undo = {
      description: `delete NetworkPolicy ${id}`,
      undo: async () => {
        await objects.delete('NetworkPolicy', ref.namespace, ref.name);
      },
    };
    return injectOrRollBack(ctx.logger, undo, async () => {
      await objects.apply(policy);
      if (!ctx.params.restart) return;
      // CNIs judge the first packet of a connection only: keep-alive connections opened before the policy
      // would carry on. Fresh pods (new addresses) leave every caller a new connection to open.
      const pods = await deletePodsOf(objects, deploy);
      ctx.logger.info({ pods }, `restarted the pods ${id} selects`);
    });
  },
};
