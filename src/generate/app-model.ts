import { containersOf } from '../kube/containers.js';
import { parseQuantity, type KubeObject } from '../kube/kube-object.js';
import { podSpecOf } from '../kube/pod-template.js';
import { APP_NAMESPACE } from '../platform/app-namespaces.js';
import { isPostgresImage, isRedisImage } from '../faults/support/workloads.js';
import { isServiceName, READINESS_CHECKS_OF } from '../../apps/shop/src/runtime/service-names.js';
import { pointLivenessAtReadiness } from '../faults/types/liveness-asks-readiness.js';

const DATA_STORES = new Set(['redis', 'postgres']);

/** One of the app's workloads, as the generator sees it. */
export interface AppWorkload {
  /** Deployment name. */
  name: string;
  /** The shop service it runs (SHOP_SERVICE), which names its run-time settings; undefined for Redis. */
  service?: string;
  /** Its ConfigMap (`<name>-config`), when the manifests have one. */
  configMap?: string;
  /** The top-level keys of that ConfigMap's `config.json` (none when it has no such JSON object). */
  configKeys: string[];
  /** Services it calls: from its `<NAME>_URL` variables, and `redis` from REDIS_HOST. */
  calls: string[];
  isRedis: boolean;
  isPostgres: boolean;
  /**
   * What its readiness check asks (the shop's READINESS_CHECKS_OF for its service): while one of these is
   * down the workload is not ready, and leaves its Service.
   */
  readiness: string[];
  /** Whether `liveness-asks-readiness` can change it (its liveness probe asks something else today). */
  livenessCanAskReadiness: boolean;
  /** Its first container's limits (bytes, cores), which a noisy neighbour shares. */
  memoryLimit?: number;
  cpuLimit?: number;
}

/** What the fault type itself refuses (no HTTP readiness probe, a liveness probe asking it already). */
function livenessCanAskReadiness(d: KubeObject): boolean {
  try {
    pointLivenessAtReadiness(structuredClone(d));
    return true;
  } catch {
    return false;
  }
}

function jsonKeys(text: string | undefined): string[] {
  if (text === undefined) return [];
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v) : [];
  } catch {
    return [];
  }
}

/**
 * The app's Deployments and how they call each other, read off the manifests; what each readiness check
 * asks comes from the shop's own table (READINESS_CHECKS_OF), which its integration test holds to /readyz.
 */
export interface AppModel {
  namespace: string;
  workloads: AppWorkload[];
  /**
   * Hops from the storefront (the workload nobody in the app calls, which calls services itself) to each
   * workload it reaches; a queue consumer, reached through the queue rather than a call, has none.
   */
  depth: Map<string, number>;
}

export function appModel(objects: readonly KubeObject[]): AppModel {
  const ns = APP_NAMESPACE;
  const deployments = objects.filter((o) => o.kind === 'Deployment' && o.metadata.namespace === ns);
  const configMaps = new Map(
    objects
      .filter((o) => o.kind === 'ConfigMap' && o.metadata.namespace === ns)
      .map((o) => [o.metadata.name, o] as const),
  );
  const workloads: AppWorkload[] = deployments
    .map((d) => {
      const containers = containersOf(podSpecOf(d));
      const env = containers.flatMap((c) => c.env ?? []);
      const calls = env
        .filter((e) => /_URL$/.test(e.name) && e.name !== 'FLAGS_URL' && e.name !== 'TARGET_URL')
        .map((e) => e.name.replace(/_URL$/, '').toLowerCase());
      if (env.some((e) => e.name === 'REDIS_HOST')) calls.push('redis');
      const name = d.metadata.name;
      const service = env.find((e) => e.name === 'SHOP_SERVICE')?.value;
      const readyGet = containers[0]?.readinessProbe?.httpGet;
      return {
        name,
        service,
        configMap: configMaps.has(`${name}-config`) ? `${name}-config` : undefined,
        configKeys: jsonKeys(configMaps.get(`${name}-config`)?.data?.['config.json']),
        calls: [...new Set(calls)].sort(),
        isRedis: containers.some((c) => isRedisImage(c.image)),
        isPostgres: containers.some((c) => isPostgresImage(c.image)),
        // The table says what the shop's /readyz checks; a pod whose readiness probe asks something else
        // stays ready whatever that is.
        readiness:
          service !== undefined && isServiceName(service) && readyGet?.path === '/readyz'
            ? [...READINESS_CHECKS_OF[service]]
            : [],
        livenessCanAskReadiness: livenessCanAskReadiness(d),
        memoryLimit: parseQuantity(containers[0]?.resources?.limits?.memory),
        cpuLimit: parseQuantity(containers[0]?.resources?.limits?.cpu),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const called = new Set(workloads.flatMap((w) => w.calls));
  // The storefront is what nobody calls and that calls services itself; a queue consumer is called by
  // nobody too, yet sits behind its publisher and calls only data stores, so it is no root.
  const httpCalls = (w: AppWorkload) => w.calls.some((c) => !DATA_STORES.has(c));
  const depth = new Map<string, number>();
  const queue = workloads.filter((w) => !called.has(w.name) && httpCalls(w)).map((w) => w.name);
  for (const n of queue) depth.set(n, 0);
  while (queue.length > 0) {
    const cur = queue.shift() as string;
    for (const next of workloads.find((w) => w.name === cur)?.calls ?? []) {
      if (depth.has(next)) continue;
      depth.set(next, (depth.get(cur) ?? 0) + 1);
      queue.push(next);
    }
  }
  return { namespace: ns, workloads, depth };
}

/**
 * The workloads whose outage leaves `name` not ready: what its readiness check asks, and, since a service
 * that is not ready leaves its Service and its callers' checks of it fail, what theirs ask in turn.
 */
export function readinessReach(app: AppModel, name: string): Set<string> {
  const reach = new Set<string>();
  const visit = (n: string): void => {
    for (const d of app.workloads.find((w) => w.name === n)?.readiness ?? []) {
      if (reach.has(d) || d === name) continue;
      reach.add(d);
      visit(d);
    }
  };
  visit(name);
  return reach;
}
