import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { containersOf } from '../../kube/containers.js';
import { podSpecOf } from '../../kube/pod-template.js';
import { requireObject } from '../support/object-snapshot.js';
import { startChaos, workloadOf } from '../support/chaos-fault.js';
import type { FaultType } from '../fault-type.js';

/** The file operations Chaos Mesh's IOChaos can delay (its IoMethod enum). */
const METHODS = [
  'lookup',
  'forget',
  'getattr',
  'setattr',
  'readlink',
  'mknod',
  'mkdir',
  'unlink',
  'rmdir',
  'symlink',
  'rename',
  'link',
  'open',
  'read',
  'write',
  'flush',
  'release',
  'fsync',
  'opendir',
  'readdir',
  'releasedir',
  'fsyncdir',
  'statfs',
  'setxattr',
  'getxattr',
  'listxattr',
  'removexattr',
  'access',
  'create',
  'getlk',
  'setlk',
  'bmap',
] as const;

const params = z.strictObject({
  volumePath: z
    .string()
    .regex(/^\/\S*$/, 'must be an absolute path')
    .meta({ description: 'Mount path of the volume in the container (one of its volumeMounts), e.g. /tmp' }),
  path: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Glob of the files affected under the volume; default every file' }),
  delayMs: z
    .number()
    .int()
    .min(1)
    .max(60_000)
    .meta({ description: 'Delay of each affected file operation, ms' }),
  percent: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(100)
    .meta({ description: 'Share of operations delayed, percent' }),
  methods: z
    .array(z.enum(METHODS))
    .min(1)
    .optional()
    .meta({ description: 'File operations affected (read, write, open, fsync…); default all' }),
  container: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Container whose mount is slowed; default the first' }),
});
type Params = z.output<typeof params>;

export const ioLatency: FaultType<Params> = {
  id: 'io-latency',
  description: "File operations on one of the target's volumes are slow.",
  params,
  needs: ['objects', 'io-chaos'],
  targetKinds: ['Deployment'],
  // What to fix is the storage under the target's pods; the pods' workload names it.
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['ShopHighLatencyP95'],
  async inject(ctx) {
    const deploy = await requireObject(ctx.target.objects, ctx.entity);
    const containers = containersOf(podSpecOf(deploy));
    const c = ctx.params.container ? containers.find((x) => x.name === ctx.params.container) : containers[0];
    if (!c) {
      throw new InvalidInputError(
        `params.container: ${formatEntityId(ctx.entity)} has no container ${ctx.params.container}; it has ${containers.map((x) => x.name).join(', ')}`,
      );
    }
    const mounts = (c.volumeMounts ?? []).map((m) => m.mountPath);
    if (!mounts.includes(ctx.params.volumePath)) {
      throw new InvalidInputError(
        `params.volumePath: container ${c.name} mounts no volume at ${ctx.params.volumePath}; its mounts: ${mounts.join(', ') || 'none'}`,
      );
    }
    return startChaos(ctx, {
      kind: 'io',
      workload: workloadOf(ctx.entity),
      container: c.name,
      volumePath: ctx.params.volumePath,
      ...(ctx.params.path ? { path: ctx.params.path } : {}),
      delayMs: ctx.params.delayMs,
      percent: ctx.params.percent,
      ...(ctx.params.methods ? { methods: [...ctx.params.methods] } : {}),
    });
  },
};
