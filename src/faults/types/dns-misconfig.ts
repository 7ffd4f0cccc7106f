import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { containersOf } from '../../kube/containers.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { podSpecOf } from '../../kube/pod-template.js';
import type { FaultType } from '../fault-type.js';
import { applyPlanned, planChange, requirePodSpec } from '../support/object-snapshot.js';

const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const DOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Shop services whose /readyz checks dependencies they reach by name (apps/shop/src/services/*.ts): with no
 * working resolver their new pods never become ready. The others check nothing, so their pods would turn
 * ready and serve, and the rollout would complete without a symptom.
 */
const READINESS_CHECKED = ['frontend', 'checkout', 'cart'];

const params = z.strictObject({
  nameserver: z
    .string()
    .regex(IPV4, 'must be an IPv4 address')
    .default('10.96.0.99')
    .meta({ description: 'Resolver the pods are pointed at; nothing may answer DNS there' }),
  searches: z
    .array(z.string().max(253, 'must be at most 253 characters').regex(DOMAIN, 'must be a DNS domain'))
    .refine((a) => a.length <= 6, 'at most 6 search domains')
    .optional()
    .meta({
      description:
        "Search domains; default the cluster's usual <namespace>.svc.cluster.local svc.cluster.local cluster.local",
    }),
});
type Params = z.output<typeof params>;

function requireReadinessCheckedService(deploy: KubeObject): void {
  const service = containersOf(podSpecOf(deploy))
    .flatMap((c) => c.env ?? [])
    .find((e) => e.name === 'SHOP_SERVICE')?.value;
  if (service !== undefined && READINESS_CHECKED.includes(service)) return;
  const id = formatEntityId({
    namespace: deploy.metadata.namespace,
    kind: deploy.kind,
    name: deploy.metadata.name,
  });
  throw new InvalidInputError(
    `${id} checks no dependency for readiness, so its pods would become ready without name resolution and the rollout would complete unnoticed; target frontend, checkout or cart`,
  );
}

/**
 * A release with a hand-written DNS configuration (`dnsPolicy: None`) naming a resolver that does not
 * answer: the new pod cannot resolve the Services it depends on, its readiness checks fail, and the rollout
 * stalls with the old pods serving.
 */
export const dnsMisconfig: FaultType<Params> = {
  id: 'dns-misconfig',
  description:
    'Rolls out the target Deployment with dnsPolicy None and a nameserver that does not answer (pods never ready).',
  params,
  needs: ['objects', 'rollouts', 'cluster-dns'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['KubePodNotReady'],
  async inject(ctx) {
    const plan = await planChange(ctx.target.objects, ctx.entity, (d) => {
      requireReadinessCheckedService(d);
      const ns = d.metadata.namespace ?? 'default';
      const spec = requirePodSpec(d);
      spec.dnsPolicy = 'None';
      spec.dnsConfig = {
        nameservers: [ctx.params.nameserver],
        searches: ctx.params.searches ?? [`${ns}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'],
        options: [{ name: 'ndots', value: '5' }],
      };
    });
    return applyPlanned(
      ctx.target.objects,
      ctx.logger,
      plan,
      `restore Deployment ${formatEntityId(ctx.entity)}`,
    );
  },
};
