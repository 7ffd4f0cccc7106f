import type { Clock } from '../../util/clock.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { isKind, ofKind, type Event } from '../../kube/typed-objects.js';
import type { ObjectStore } from './object-store.js';
import { kubeTime } from '../../kube/kube-time.js';

export type EventType = 'Normal' | 'Warning';

/** Components that run on the node, whose events name it as their source host. */
const NODE_COMPONENTS = new Set(['kubelet', 'kernel-monitor']);

const API_VERSIONS: Record<string, string> = {
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
};

/**
 * Records core/v1 Events the way kubelet and controllers do: same reasons, same components, and
 * repeats of one (object, reason, message) folded into `count` with `lastTimestamp` moved on. Only the
 * kubelet's (and the node's kernel monitor's) events carry the node as `source.host`; the controllers
 * run elsewhere and leave it out.
 */
export class EventRecorder {
  private seq = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    private readonly host: string,
  ) {}

  record(
    involved: KubeObject | { kind: string; metadata: { name: string; namespace?: string; uid?: string } },
    type: EventType,
    reason: string,
    message: string,
    component: string,
  ): void {
    const ns = involved.metadata.namespace ?? 'default';
    const now = kubeTime(this.clock.now());
    const existing = ofKind(
      this.store.select(
        'Event',
        ns,
        (e) =>
          isKind(e, 'Event') &&
          e.involvedObject.name === involved.metadata.name &&
          e.involvedObject.kind === involved.kind &&
          e.reason === reason &&
          e.message === message,
      ),
      'Event',
    )[0];
    if (existing) {
      existing.count = (existing.count ?? 1) + 1;
      existing.lastTimestamp = now;
      this.store.apply(existing);
      return;
    }
    const name = `${involved.metadata.name}.${(this.clock.now() * 1000 + this.seq++).toString(16)}`;
    const event: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        kind: involved.kind,
        namespace: involved.metadata.namespace,
        name: involved.metadata.name,
        uid: involved.metadata.uid,
        apiVersion: API_VERSIONS[involved.kind] ?? 'v1',
      },
      reason,
      message,
      type,
      source: NODE_COMPONENTS.has(component) ? { component, host: this.host } : { component },
      reportingComponent: component,
      reportingInstance: NODE_COMPONENTS.has(component) ? this.host : '',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    this.store.apply(event);
  }
}
