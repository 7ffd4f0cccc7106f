import { containersOf } from '../../kube/containers.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { podSpecOf } from '../../kube/pod-template.js';

/** Redis settings a run may change and reset must find back as the manifest sets them. */
export interface RedisBaseline {
  /** In bytes, as `CONFIG GET maxmemory` answers ('0' when unset). */
  maxmemory: string;
  /** As `CONFIG GET maxmemory-policy` answers. */
  maxmemoryPolicy: string;
}

/** Redis memory units: k/m/g are powers of 1000, kb/mb/gb powers of 1024 (redis.conf). */
const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1024,
  m: 1e6,
  mb: 1024 ** 2,
  g: 1e9,
  gb: 1024 ** 3,
};

export function redisBytes(text: string): string | undefined {
  const m = /^(\d+)([a-z]*)$/i.exec(text.trim());
  const unit = m ? UNITS[(m[2] as string).toLowerCase()] : undefined;
  return m && unit !== undefined ? String(Number(m[1]) * unit) : undefined;
}

/** The baseline from the redis Deployment's `redis-server` arguments; Redis' defaults where unset. */
export function redisBaseline(deploy: KubeObject | undefined): RedisBaseline {
  const c = containersOf(podSpecOf(deploy))[0];
  const args = [...(c?.command ?? []), ...(c?.args ?? [])];
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  return {
    maxmemory: redisBytes(value('--maxmemory') ?? '0') ?? '0',
    maxmemoryPolicy: value('--maxmemory-policy') ?? 'noeviction',
  };
}
