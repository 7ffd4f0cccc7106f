import type { KubeObject } from '../../../kube/kube-object.js';
import type { ChaosExperiment, NetworkExperiment } from '../../../platform/chaos-api.js';

/** Chaos Mesh's API group and the namespace firedrill installs it in (never captured). */
export const CHAOS_MESH_GROUP = 'chaos-mesh.org';
export const CHAOS_MESH_API_VERSION = `${CHAOS_MESH_GROUP}/v1alpha1`;
export const CHAOS_MESH_NAMESPACE = 'chaos-mesh';

/** The experiment kinds firedrill creates, by experiment. */
export const CHAOS_KINDS = {
  network: 'NetworkChaos',
  dns: 'DNSChaos',
  stress: 'StressChaos',
  io: 'IOChaos',
  time: 'TimeChaos',
} as const satisfies Record<ChaosExperiment['kind'], string>;

/** What Chaos Mesh selects pods by: the Deployment's own pod selector. */
export interface PodSelection {
  namespace: string;
  matchLabels: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

function selector(s: PodSelection): Record<string, unknown> {
  return {
    namespaces: [s.namespace],
    labelSelectors: { ...s.matchLabels },
    ...(s.matchExpressions?.length ? { expressionSelectors: structuredClone(s.matchExpressions) } : {}),
  };
}

/** A Go duration Chaos Mesh parses (`time.ParseDuration`). */
const ms = (n: number): string => `${n}ms`;
/** tc netem's percentages and correlations are strings of a float. */
const pct = (n: number): string => String(n);

function networkSpec(x: NetworkExperiment): Record<string, unknown> {
  switch (x.action) {
    case 'delay':
      return {
        delay: {
          latency: ms(x.delay?.latencyMs ?? 0),
          jitter: ms(x.delay?.jitterMs ?? 0),
          correlation: pct(x.delay?.correlation ?? 0),
        },
      };
    case 'loss':
      return { loss: { loss: pct(x.loss?.percent ?? 0), correlation: pct(x.loss?.correlation ?? 0) } };
    case 'corrupt':
      return {
        corrupt: { corrupt: pct(x.corrupt?.percent ?? 0), correlation: pct(x.corrupt?.correlation ?? 0) },
      };
    case 'bandwidth':
      return {
        bandwidth: {
          rate: x.bandwidth?.rate ?? `${x.bandwidth?.bytesPerSecond ?? 0}bps`,
          limit: x.bandwidth?.limitBytes ?? 0,
          buffer: x.bandwidth?.bufferBytes ?? 0,
        },
      };
    case 'partition':
      return {};
  }
}

/**
 * The Chaos Mesh resource for an experiment, in Chaos Mesh's namespace (so its events and status never
 * reach a snapshot) and selecting pods of the app's namespace with each Deployment's pod selector. Every
 * field Chaos Mesh would default is written out, so the resource is the same with or without its webhook.
 */
export function chaosResource(
  name: string,
  x: ChaosExperiment,
  pods: (workload: { namespace: string; name: string }) => PodSelection,
): KubeObject {
  const metadata = { name, namespace: CHAOS_MESH_NAMESPACE };
  const head = { apiVersion: CHAOS_MESH_API_VERSION, kind: CHAOS_KINDS[x.kind], metadata };
  switch (x.kind) {
    case 'network':
      return {
        ...head,
        spec: {
          action: x.action,
          mode: 'all',
          selector: selector(pods(x.from)),
          direction: x.direction,
          target: { mode: 'all', selector: selector(pods(x.to)) },
          ...networkSpec(x),
        },
      };
    case 'dns':
      return {
        ...head,
        spec: { action: x.action, mode: 'all', selector: selector(pods(x.from)), patterns: [...x.names] },
      };
    case 'stress':
      return {
        ...head,
        spec: {
          mode: 'all',
          selector: selector(pods(x.workload)),
          stressors: {
            ...(x.cpu ? { cpu: { workers: x.cpu.workers, load: x.cpu.load } } : {}),
            ...(x.memory
              ? {
                  memory: {
                    workers: x.memory.workers,
                    // Per worker, in bytes as memStress reads them.
                    size: `${Math.ceil(x.memory.sizeBytes / x.memory.workers)}B`,
                    // the CRD's default, written out like every other default (see above)
                    oomScoreAdj: 0,
                  },
                }
              : {}),
          },
        },
      };
    case 'io':
      return {
        ...head,
        spec: {
          action: 'latency',
          mode: 'all',
          selector: selector(pods(x.workload)),
          ...(x.container ? { containerNames: [x.container] } : {}),
          volumePath: x.volumePath,
          ...(x.path ? { path: x.path } : {}),
          delay: ms(x.delayMs),
          percent: x.percent,
          ...(x.methods ? { methods: [...x.methods] } : {}),
        },
      };
    case 'time':
      return {
        ...head,
        spec: {
          mode: 'all',
          selector: selector(pods(x.workload)),
          ...(x.container ? { containerNames: [x.container] } : {}),
          timeOffset: ms(x.offsetMs),
          clockIds: [...x.clockIds],
        },
      };
  }
}

/** A short, unique, DNS-1123 name for an experiment's resource. */
export function chaosResourceName(x: ChaosExperiment, suffix: string): string {
  const parts: string[] = [x.kind];
  if (x.kind === 'network') parts.push(x.action, x.from.name, x.to.name);
  else if (x.kind === 'dns') parts.push(x.from.name);
  else parts.push(x.workload.name);
  const base = parts.join('-').slice(0, 56).replace(/-+$/, '');
  return `${base}-${suffix}`;
}
