import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { asService } from '../../kube/typed-objects.js';
import type { ObjectApi } from '../../platform/object-api.js';
import type { FaultType } from '../fault-type.js';
import { addNodeInitContainer, CONTAINER_NAME, CONTAINER_NAME_MESSAGE } from '../support/init-containers.js';
import { applyPlanned, planChange } from '../support/object-snapshot.js';

const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** How long each connection attempt may take, and the pause between attempts. */
const CONNECT_TIMEOUT_MS = 3000;
const RETRY_MS = 5000;

function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

const params = z.strictObject({
  container: z.string().optional().meta({
    description:
      'Container whose image, resources and security context the init step reuses; default the first',
  }),
  waitFor: z
    .string()
    .refine((a) => {
      const m = /^(.{1,253}):(\d{1,5})$/.exec(a);
      if (!m) return false;
      const port = Number(m[2]);
      return port >= 1 && port <= 65535 && (IPV4.test(m[1]) || HOSTNAME.test(m[1]));
    }, 'must be host:port with a lower-case host name or IPv4 address, e.g. db:5432')
    .default('db:5432')
    .meta({ description: 'Address the init step waits for; nothing may answer there' }),
  name: z
    .string()
    .max(63, 'must be at most 63 characters')
    .regex(CONTAINER_NAME, CONTAINER_NAME_MESSAGE)
    .optional()
    .meta({ description: 'Name of the init container; default wait-for-<first label of the host>' }),
});
type Params = z.output<typeof params>;

/** `wait-for-cart-db` for `cart-db:5432` or `cart-db.data.svc:5432`; `wait-for-db` for an IP address. */
export function defaultStepName(waitFor: string): string {
  const { host } = splitAddress(waitFor);
  if (IPV4.test(host)) return 'wait-for-db';
  return `wait-for-${host.split('.')[0]}`.slice(0, 63).replace(/-+$/, '');
}

/**
 * The step's command: try a TCP connection every few seconds, logging each failure, and finish only when
 * one succeeds, like the `wait-for-it` steps operators put in front of a service that needs a database.
 */
export function waitStepCommand(waitFor: string): string[] {
  const { host, port } = splitAddress(waitFor);
  const script = [
    `const net = require('net');`,
    `const host = ${JSON.stringify(host)}, port = ${port}, addr = host + ':' + port;`,
    `console.log('waiting for ' + addr);`,
    `function attempt() {`,
    `  let done = false;`,
    `  const s = net.connect({ host, port });`,
    `  const retry = (why) => {`,
    `    if (done) return;`,
    `    done = true;`,
    `    s.destroy();`,
    `    console.log('waiting for ' + addr + ': ' + why);`,
    `    setTimeout(attempt, ${RETRY_MS});`,
    `  };`,
    `  s.setTimeout(${CONNECT_TIMEOUT_MS}, () => retry('timed out'));`,
    `  s.on('error', (e) => retry(e.message));`,
    `  s.on('connect', () => {`,
    `    done = true;`,
    `    console.log(addr + ' is up');`,
    `    s.end();`,
    `    process.exit(0);`,
    `  });`,
    `}`,
    `attempt();`,
  ].join('\n');
  return ['node', '-e', script];
}

/**
 * The Service an in-cluster name resolves to (`name`, `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local`)
 * must not serve the port, or the step would finish and the pod start: no incident would happen.
 */
async function refuseServedAddress(objects: ObjectApi, namespace: string, waitFor: string): Promise<void> {
  const { host, port } = splitAddress(waitFor);
  const m = /^([a-z0-9-]+)(?:\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?)?$/.exec(host);
  if (!m || IPV4.test(host)) return;
  const ns = m[2] ?? namespace;
  const svc = await objects.get('Service', ns, m[1]);
  const ports = asService(svc)?.spec?.ports ?? [];
  if (ports.some((p) => p.port === port)) {
    throw new InvalidInputError(
      `Service ${ns}/${m[1]} serves port ${port}, so the init step would not wait; name an address nothing answers on, e.g. db:5432`,
    );
  }
}

/**
 * A release that adds a pre-start step waiting for a dependency that is not there (a database nobody
 * deployed; the shop's own is `postgres`): the init container never finishes, so the new pod stays Pending (Init:0/1) and unready, and
 * the rollout stalls while the old pods keep serving.
 */
export const initContainerHang: FaultType<Params> = {
  id: 'init-container-hang',
  description:
    'Rolls out the target Deployment with an init container that waits forever for an address nothing serves.',
  params,
  needs: ['objects', 'rollouts', 'init-containers'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['KubePodNotReady', 'KubePodPending'],
  async inject(ctx) {
    const { waitFor } = ctx.params;
    const plan = await planChange(ctx.target.objects, ctx.entity, (d) =>
      addNodeInitContainer(d, {
        source: ctx.params.container,
        name: ctx.params.name ?? defaultStepName(waitFor),
        command: waitStepCommand(waitFor),
      }),
    );
    await refuseServedAddress(ctx.target.objects, plan.before.metadata.namespace ?? 'default', waitFor);
    return applyPlanned(
      ctx.target.objects,
      ctx.logger,
      plan,
      `restore Deployment ${formatEntityId(ctx.entity)}`,
    );
  },
};
