import type { KubeObject } from '../../src/kube/kube-object.js';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string; readOnly?: boolean }>;
  securityContext?: { readOnlyRootFilesystem?: boolean; runAsUser?: number; runAsGroup?: number };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  ports?: Array<{ name?: string; containerPort: number }>;
}
interface PodSpec {
  containers: Container[];
  securityContext?: { runAsUser?: number; runAsGroup?: number };
  volumes?: Array<{ name: string; emptyDir?: object; configMap?: { name: string } }>;
}

/** What a container needs from the rest of the manifests: Secret and ConfigMap contents, by name. */
export interface ManifestData {
  secrets: ReadonlyMap<string, Record<string, string>>;
  configMaps: ReadonlyMap<string, Record<string, string>>;
}

/** One `docker run` derived from a Deployment's first container, as a kubelet would have started it. */
export interface DockerRun {
  /** Container name: `<deployment>-<namespace>`. */
  name: string;
  /** DNS names the container answers to on the network: the in-cluster names its callers use. */
  aliases: string[];
  /** ConfigMap files to write before the run: host path is decided by the caller, keyed by volume name. */
  configFiles: Map<string, Record<string, string>>;
  /** Arguments after `docker run`, with `{{volume:<name>}}` where the caller's host directory goes. */
  args: string[];
  /** The readiness endpoint (`/readyz` on port 8080), when the container has an HTTP readiness probe. */
  ready?: { path: string; port: number };
}

/** Objects keyed by name, from the manifests' Secrets (data base64-decoded, stringData as is) or ConfigMaps. */
export function manifestData(objects: readonly KubeObject[]): ManifestData {
  const secrets = new Map<string, Record<string, string>>();
  const configMaps = new Map<string, Record<string, string>>();
  for (const o of objects) {
    if (o.kind === 'Secret') {
      const decoded = Object.fromEntries(
        Object.entries((o.data ?? {}) as Record<string, string>).map(([k, v]) => [
          k,
          Buffer.from(v, 'base64').toString('utf8'),
        ]),
      );
      secrets.set(o.metadata.name, { ...decoded, ...((o.stringData ?? {}) as Record<string, string>) });
    }
    if (o.kind === 'ConfigMap')
      configMaps.set(o.metadata.name, { ...(o.data ?? {}) } as Record<string, string>);
  }
  return { secrets, configMaps };
}

/** Kubernetes' `$(VAR)` expansion of command and args from the container's environment. */
function expand(s: string, env: Record<string, string>): string {
  return s.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name: string) => env[name] ?? all);
}

/**
 * Translates a Deployment's pod template into `docker run` arguments: image, command and args exactly as the
 * manifest says, environment with field and Secret references resolved, ConfigMap and emptyDir volumes,
 * user and read-only root from the security contexts. Only what the shop's manifests use is supported; an
 * unsupported field fails loudly instead of starting a different container than Kubernetes would.
 */
export function dockerRunFor(deploy: KubeObject, data: ManifestData, network: string): DockerRun {
  const ns = deploy.metadata.namespace ?? 'default';
  const deployName = deploy.metadata.name;
  const pod = (deploy.spec as { template: { spec: PodSpec } }).template.spec;
  const [c] = pod.containers;
  if (!c) throw new Error(`${ns}/${deployName} has no container`);
  const podName = `${deployName}-image-check`;

  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = expand(e.value, env);
    else if (e.valueFrom?.fieldRef) {
      const path = e.valueFrom.fieldRef.fieldPath;
      if (path === 'metadata.name') env[e.name] = podName;
      else if (path === 'metadata.namespace') env[e.name] = ns;
      else throw new Error(`${ns}/${deployName}: fieldRef ${path} is not supported here`);
    } else if (e.valueFrom?.secretKeyRef) {
      const { name, key } = e.valueFrom.secretKeyRef;
      const v = data.secrets.get(name)?.[key];
      if (v === undefined) throw new Error(`${ns}/${deployName}: Secret ${name} has no key ${key}`);
      env[e.name] = v;
    } else if (e.valueFrom?.configMapKeyRef) {
      const { name, key } = e.valueFrom.configMapKeyRef;
      const v = data.configMaps.get(name)?.[key];
      if (v === undefined) throw new Error(`${ns}/${deployName}: ConfigMap ${name} has no key ${key}`);
      env[e.name] = v;
    } else throw new Error(`${ns}/${deployName}: env ${e.name} has neither value nor a supported valueFrom`);
  }

  const args = ['--detach', '--name', `${deployName}-${ns}`, '--network', network, '--hostname', podName];
  const aliases = [deployName, `${deployName}.${ns}`, `${deployName}.${ns}.svc.cluster.local`];
  for (const a of aliases) args.push('--network-alias', a);
  for (const [k, v] of Object.entries(env)) args.push('--env', `${k}=${v}`);
  const user = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
  const group = c.securityContext?.runAsGroup ?? pod.securityContext?.runAsGroup;
  if (user !== undefined) args.push('--user', group !== undefined ? `${user}:${group}` : String(user));
  if (c.securityContext?.readOnlyRootFilesystem) args.push('--read-only');

  const configFiles = new Map<string, Record<string, string>>();
  for (const m of c.volumeMounts ?? []) {
    const vol = pod.volumes?.find((v) => v.name === m.name);
    if (!vol) throw new Error(`${ns}/${deployName}: volumeMount ${m.name} names no volume`);
    if (m.subPath) throw new Error(`${ns}/${deployName}: subPath mounts are not supported here`);
    if (vol.emptyDir) {
      const owner = user !== undefined ? `,uid=${user}${group !== undefined ? `,gid=${group}` : ''}` : '';
      args.push('--tmpfs', `${m.mountPath}:rw,mode=1777${owner}`);
    } else if (vol.configMap) {
      const files = data.configMaps.get(vol.configMap.name);
      if (!files)
        throw new Error(`${ns}/${deployName}: ConfigMap ${vol.configMap.name} is not in the manifests`);
      configFiles.set(m.name, files);
      args.push('--volume', `{{volume:${m.name}}}:${m.mountPath}:ro`);
    } else throw new Error(`${ns}/${deployName}: volume ${m.name} is neither emptyDir nor configMap`);
  }

  const [entry, ...rest] = c.command ?? [];
  if (entry !== undefined) args.push('--entrypoint', entry);
  args.push(c.image, ...rest.map((s) => expand(s, env)), ...(c.args ?? []).map((s) => expand(s, env)));

  const probe = c.readinessProbe?.httpGet;
  let ready: DockerRun['ready'];
  if (probe) {
    const port =
      typeof probe.port === 'number'
        ? probe.port
        : c.ports?.find((p) => p.name === probe.port)?.containerPort;
    if (port === undefined)
      throw new Error(`${ns}/${deployName}: probe port ${String(probe.port)} is unknown`);
    ready = { path: probe.path, port };
  }
  return { name: `${deployName}-${ns}`, aliases, configFiles, args, ready };
}
