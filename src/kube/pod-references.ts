import type { Container, PodSpec } from './kube-object.js';

/** An object a pod reads its configuration or storage from. */
export interface PodReference {
  kind: 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim';
  name: string;
}

/** A key of a ConfigMap or Secret that a container's env reads (`valueFrom`). */
export interface EnvKeyReference {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  key: string;
}

/** What the pod's volumes mount: ConfigMaps, Secrets and PersistentVolumeClaims, in volume order. */
export function volumeRefsOf(spec: PodSpec | undefined): PodReference[] {
  const out: PodReference[] = [];
  for (const v of spec?.volumes ?? []) {
    if (v.configMap?.name !== undefined) out.push({ kind: 'ConfigMap', name: v.configMap.name });
    if (v.secret?.secretName !== undefined) out.push({ kind: 'Secret', name: v.secret.secretName });
    if (v.persistentVolumeClaim)
      out.push({ kind: 'PersistentVolumeClaim', name: v.persistentVolumeClaim.claimName });
  }
  return out;
}

/** The keys a container's env variables take from ConfigMaps and Secrets (`valueFrom.*KeyRef`). */
export function envKeyRefsOf(container: Container): EnvKeyReference[] {
  const out: EnvKeyReference[] = [];
  for (const e of container.env ?? []) {
    const cm = e.valueFrom?.configMapKeyRef;
    const secret = e.valueFrom?.secretKeyRef;
    if (cm?.name !== undefined) out.push({ kind: 'ConfigMap', name: cm.name, key: cm.key });
    if (secret?.name !== undefined) out.push({ kind: 'Secret', name: secret.name, key: secret.key });
  }
  return out;
}

/** The ConfigMaps and Secrets a container takes whole into its env (`envFrom`). */
export function envFromRefsOf(container: Container): PodReference[] {
  const out: PodReference[] = [];
  for (const f of container.envFrom ?? []) {
    if (f.configMapRef?.name !== undefined) out.push({ kind: 'ConfigMap', name: f.configMapRef.name });
    if (f.secretRef?.name !== undefined) out.push({ kind: 'Secret', name: f.secretRef.name });
  }
  return out;
}
