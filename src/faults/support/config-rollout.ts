import { formatEntityId, type EntityRef } from '../../entities/entity-id.js';
import { containersOf } from '../../kube/containers.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { envKeyRefsOf, volumeRefsOf } from '../../kube/pod-references.js';
import { podSpecOf } from '../../kube/pod-template.js';
import type { Logger } from '../../logging/logger.js';
import type { ObjectApi } from '../../platform/object-api.js';
import type { Undo } from '../fault-type.js';
import { markRestart, planChange, type PlannedChange } from './object-snapshot.js';
import { injectOrRollBack, runAll } from './roll-back.js';

/** Whether a workload's pods read the ConfigMap: as a volume, or a key of it in a container's env. */
export function mountsConfigMap(deploy: KubeObject, name: string): boolean {
  const spec = podSpecOf(deploy);
  const isConfigMap = (r: { kind: string; name: string }): boolean =>
    r.kind === 'ConfigMap' && r.name === name;
  return (
    volumeRefsOf(spec).some(isConfigMap) || containersOf(spec).some((c) => envKeyRefsOf(c).some(isConfigMap))
  );
}

export interface ConfigEdit {
  objects: ObjectApi;
  logger: Logger;
  /** The ConfigMap the plan changes. */
  configMap: EntityRef;
  /** Its planned change (planChange): everything refusable was decided before this is called. */
  plan: PlannedChange;
  /** Roll out the Deployments of its namespace that mount it, as the operator who edited it would. */
  restart: boolean;
  /** What the log says about each rollout. */
  rolledOut: string;
}

/**
 * An edit to a ConfigMap and the rollout that picks it up (`kubectl edit cm` then `kubectl rollout
 * restart`), with its undo: the ConfigMap restored first, so the Deployments rolled back after it start on
 * the good config, then each Deployment from the copy read before its restart. The undo tries every
 * restore even when one fails and reports the first failure; a failed step of the inject runs it before
 * the error propagates.
 */
export async function editConfigMapAndRollOut(edit: ConfigEdit): Promise<Undo> {
  const { objects, logger, configMap, plan } = edit;
  const restores: Array<() => Promise<void>> = [() => plan.restore()];
  const undo: Undo = {
    description: `restore ConfigMap ${formatEntityId(configMap)} and the Deployments rolled with it`,
    undo: () => runAll(restores),
  };
  return injectOrRollBack(logger, undo, async () => {
    await objects.apply(plan.next);
    if (!edit.restart) return;
    for (const d of await objects.list('Deployment', configMap.namespace)) {
      if (!mountsConfigMap(d, configMap.name)) continue;
      const ref = { namespace: d.metadata.namespace, kind: 'Deployment', name: d.metadata.name };
      const rollout = await planChange(objects, ref, (x) => markRestart(x, new Date()));
      restores.push(() => rollout.restore());
      await objects.apply(rollout.next);
      logger.info({ deployment: d.metadata.name }, edit.rolledOut);
    }
  });
}
