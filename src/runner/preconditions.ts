import type { FaultRegistry } from '../faults/fault-registry.js';
import type { KubeObject } from '../kube/kube-object.js';
import type { ObjectApi } from '../platform/object-api.js';
import type { ManifestEdit } from '../platform/substrate.js';
import type { Scenario } from '../scenario/scenario.js';

/**
 * A scenario's preconditions as a change to the app's manifests: the reset deploys the app with them, so
 * every changed workload has them from its first revision on (no revision, ReplicaSet or pod of their own
 * sets it apart), and `restore` puts the manifests' own objects back after the run, so that a substrate
 * kept up does not keep a latent condition nobody asked for.
 */
export class Preconditions {
  /** The objects as the manifests had them, before the edit changed them. */
  private originals: KubeObject[] = [];
  private restored = false;

  constructor(
    private readonly scenario: Scenario,
    private readonly registry: FaultRegistry,
  ) {}

  /** The edit for the reset; undefined when the scenario has none. */
  edit(): ManifestEdit | undefined {
    const list = this.scenario.spec.preconditions ?? [];
    if (list.length === 0) return undefined;
    return (manifests) => {
      const before = manifests.map((o) => JSON.stringify(o));
      const copies = manifests.map((o) => structuredClone(o));
      for (const p of list) {
        const type = this.registry.require(p.type);
        // The loader refuses a precondition whose type has none; a missing one here is a bug.
        if (!type.asDeployed) throw new Error(`fault type ${p.type} cannot be a precondition`);
        type.asDeployed(manifests, p.targetRef, p.params);
      }
      this.originals = copies.filter((_, i) => JSON.stringify(manifests[i]) !== before[i]);
      this.restored = false;
    };
  }

  /** Applies the manifests' own version of every object the edit changed; once, however often called. */
  async restore(objects: ObjectApi): Promise<void> {
    if (this.restored) return;
    this.restored = true;
    for (const o of this.originals) await objects.apply(structuredClone(o));
  }
}
