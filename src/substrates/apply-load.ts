import { containersOf } from '../kube/containers.js';
import { podSpecOf } from '../kube/pod-template.js';
import type { ObjectApi } from '../platform/object-api.js';
import { LOADGEN_DEPLOYMENT, SYSTEM_NAMESPACE } from '../platform/app-namespaces.js';

export interface LoadSettings {
  rps: number;
  seed: number;
  mix: Record<string, number>;
}

/**
 * Sets the load generator's rate, seed and journey mix through its Deployment, so the same mechanism
 * works on every substrate; the rollout restarts its seeded sequence from the beginning.
 */
export async function applyLoad(objects: ObjectApi, load: LoadSettings): Promise<void> {
  const d = await objects.get('Deployment', SYSTEM_NAMESPACE, LOADGEN_DEPLOYMENT);
  if (!d)
    throw new Error(`Deployment ${SYSTEM_NAMESPACE}/${LOADGEN_DEPLOYMENT} not found; is the app deployed?`);
  const c = containersOf(podSpecOf(d))[0];
  if (!c)
    throw new Error(`Deployment ${SYSTEM_NAMESPACE}/${LOADGEN_DEPLOYMENT} has no container to configure`);
  const values: Record<string, string> = {
    LOAD_RPS: String(load.rps),
    LOAD_SEED: String(load.seed),
    LOAD_MIX: JSON.stringify(load.mix),
  };
  const env = (c.env ?? []).filter((e) => !(e.name in values));
  for (const [name, value] of Object.entries(values)) env.push({ name, value });
  c.env = env;
  delete d.status;
  delete d.metadata.resourceVersion;
  await objects.apply(d);
}
