import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../../../errors/invalid-input-error.js';
import { FiredrillError } from '../../../errors/firedrill-error.js';
import { containersOf } from '../../../kube/containers.js';
import type { KubeObject } from '../../../kube/kube-object.js';
import { podSpecOf } from '../../../kube/pod-template.js';
import { asDeployment } from '../../../kube/typed-objects.js';
import type { Logger } from '../../../logging/logger.js';
import type { ChaosApi, ChaosExperiment, RunningChaos, WorkloadRef } from '../../../platform/chaos-api.js';
import type { ObjectApi } from '../../../platform/object-api.js';
import { abortableDelay } from '../../../util/clock.js';
import { chaosResource, chaosResourceName, type PodSelection } from './chaos-resources.js';

/** Chaos Mesh drops its finalizer without recovering when a resource carries this annotation. */
export const FORCE_CLEAN_ANNOTATION = 'chaos-mesh.chaos-mesh.org/cleanFinalizer';

export interface ChaosMeshApiOptions {
  objects: ObjectApi;
  logger: Logger;
  /** How long Chaos Mesh may take to report an experiment injected, or recovered; default 90 s. */
  timeoutMs?: number;
  pollMs?: number;
  /** Seam for tests: the suffix that makes each resource name unique. */
  suffix?: () => string;
}

interface ChaosStatus {
  conditions?: Array<{ type?: string; status?: string }>;
  experiment?: {
    containerRecords?: Array<{
      id?: string;
      phase?: string;
      events?: Array<{ type?: string; operation?: string; message?: string }>;
    }>;
  };
}

/** Seconds for a message, to a tenth (a test's timeouts are fractions of one). */
const seconds = (ms: number): number => Math.round(ms / 100) / 10;

const statusOf = (o: KubeObject | undefined): ChaosStatus => (o?.status ?? {}) as ChaosStatus;

function condition(o: KubeObject | undefined, type: string): boolean {
  return statusOf(o).conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}

/**
 * In force: Chaos Mesh reports AllInjected and a record for every pod it selected, each injected. The
 * condition alone is not enough: it is computed from the records, and an experiment that selected nothing
 * has none.
 */
function injected(o: KubeObject | undefined): boolean {
  const records = statusOf(o).experiment?.containerRecords ?? [];
  return condition(o, 'AllInjected') && records.length > 0 && records.every((r) => r.phase === 'Injected');
}

/** The newest failure Chaos Mesh recorded against any target, for an error message. */
function lastFailure(o: KubeObject | undefined): string | undefined {
  for (const r of statusOf(o).experiment?.containerRecords ?? []) {
    const failed = (r.events ?? []).filter((e) => e.type === 'Failed');
    const last = failed[failed.length - 1];
    if (last) return `${r.id ?? '?'}: ${last.operation ?? ''} ${last.message ?? ''}`.trim();
  }
  return undefined;
}

/**
 * Experiments as Chaos Mesh resources through the Kubernetes API: created with server-side apply in
 * Chaos Mesh's namespace, in force once Chaos Mesh reports every selected pod injected (condition
 * AllInjected); taken back by deleting the resource and waiting until it is gone, which Chaos Mesh allows
 * only once it recovered every pod (its finalizer). A resource whose recovery hangs past the timeout has
 * its finalizer forced off, so none is ever left behind; that undo then fails, naming it.
 */
export class ChaosMeshApi implements ChaosApi {
  private readonly timeoutMs: number;
  private readonly pollMs: number;

  constructor(private readonly opts: ChaosMeshApiOptions) {
    this.timeoutMs = opts.timeoutMs ?? 90_000;
    this.pollMs = opts.pollMs ?? 1000;
  }

  private async selection(w: WorkloadRef, role: string): Promise<{ pods: PodSelection; deploy: KubeObject }> {
    const deploy = await this.opts.objects.get('Deployment', w.namespace, w.name);
    const sel = asDeployment(deploy)?.spec?.selector;
    if (!deploy || !sel) {
      throw new InvalidInputError(
        `${role} Deployment ${w.namespace}/${w.name} does not exist or has no pod selector`,
      );
    }
    return {
      deploy,
      pods: {
        namespace: w.namespace,
        matchLabels: { ...(sel.matchLabels ?? {}) },
        ...(sel.matchExpressions?.length
          ? {
              matchExpressions: sel.matchExpressions.map((e) => ({
                key: e.key,
                operator: e.operator,
                ...(e.values ? { values: [...e.values] } : {}),
              })),
            }
          : {}),
      },
    };
  }

  /** Reads every workload the experiment names and builds its resource. */
  async resourceFor(x: ChaosExperiment, name: string): Promise<KubeObject> {
    const selections = new Map<string, PodSelection>();
    const add = async (w: WorkloadRef, role: string): Promise<KubeObject> => {
      const s = await this.selection(w, role);
      selections.set(`${w.namespace}/${w.name}`, s.pods);
      return s.deploy;
    };
    if (x.kind === 'network') {
      await add(x.from, 'calling');
      const callee = await add(x.to, 'called');
      if (x.port !== undefined) {
        // NetworkChaos selects pods, not ports: refuse a port filter it could not honour.
        const ports = containersOf(podSpecOf(callee)).flatMap((c) =>
          (c.ports ?? []).map((p) => p.containerPort),
        );
        if (!ports.includes(x.port) || ports.some((p) => p !== x.port)) {
          throw new InvalidInputError(
            `params.port ${x.port}: Chaos Mesh disturbs all traffic between the pods, and ${x.to.name} listens on ${ports.join(', ') || 'no declared port'}; give the port only when it is the one it listens on`,
          );
        }
      }
    } else if (x.kind === 'dns') {
      await add(x.from, 'calling');
    } else {
      await add(x.workload, 'target');
    }
    return chaosResource(name, x, (w) => {
      const s = selections.get(`${w.namespace}/${w.name}`);
      if (!s) throw new Error(`no selection for ${w.namespace}/${w.name}`);
      return s;
    });
  }

  async start(x: ChaosExperiment, signal: AbortSignal): Promise<RunningChaos> {
    signal.throwIfAborted();
    const name = chaosResourceName(x, this.opts.suffix?.() ?? randomBytes(3).toString('hex'));
    const resource = await this.resourceFor(x, name);
    const ns = resource.metadata.namespace;
    const id = `${resource.kind} ${ns}/${name}`;
    const stop = async (): Promise<void> => this.remove(resource, id);
    try {
      await this.opts.objects.apply(resource);
      await this.waitInjected(resource, id, signal);
    } catch (err) {
      // A creation whose reply was lost may have taken effect: always delete by name.
      await stop().catch((e: unknown) => this.opts.logger.warn({ err: e }, `taking back ${id} failed`));
      throw err;
    }
    return { description: `delete ${id} and wait for Chaos Mesh to recover its pods`, stop };
  }

  private async waitInjected(resource: KubeObject, id: string, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const live = await this.opts.objects.get(
        resource.kind,
        resource.metadata.namespace,
        resource.metadata.name,
      );
      if (injected(live)) return;
      if (Date.now() >= deadline) {
        const none = (statusOf(live).experiment?.containerRecords ?? []).length === 0;
        const why = lastFailure(live) ?? (none ? 'it selected no pod' : undefined);
        throw new FiredrillError(
          `Chaos Mesh did not report ${id} injected within ${seconds(this.timeoutMs)} s${why ? `: ${why}` : ''}`,
        );
      }
      await abortableDelay(this.pollMs, signal);
    }
  }

  /**
   * Deletes the resource and waits until it is gone. Not cut short by an interrupt: this is what an
   * interrupted run recovers with.
   */
  private async remove(resource: KubeObject, id: string): Promise<void> {
    const { kind } = resource;
    const ns = resource.metadata.namespace;
    const name = resource.metadata.name;
    const objects = this.opts.objects;
    await objects.delete(kind, ns, name);
    const deadline = Date.now() + this.timeoutMs;
    while (Date.now() < deadline) {
      if (!(await objects.get(kind, ns, name))) return;
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    const live = await objects.get(kind, ns, name);
    if (!live) return;
    const why = lastFailure(live);
    this.opts.logger.warn(
      { resource: id, why },
      'Chaos Mesh did not recover in time; forcing its finalizer off',
    );
    // The whole resource again, so server-side apply keeps every field firedrill owns.
    await objects.apply({
      ...resource,
      metadata: {
        ...resource.metadata,
        annotations: { ...(resource.metadata.annotations ?? {}), [FORCE_CLEAN_ANNOTATION]: 'forced' },
      },
    });
    const forcedBy = Date.now() + this.timeoutMs;
    while (Date.now() < forcedBy) {
      if (!(await objects.get(kind, ns, name))) break;
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    throw new FiredrillError(
      `Chaos Mesh did not recover ${id} within ${seconds(this.timeoutMs)} s${why ? ` (${why})` : ''}; its finalizer was forced off, and the pods it selected may keep the disturbance until they restart`,
    );
  }
}
