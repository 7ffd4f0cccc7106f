import { namedPort } from '../../src/kube/containers.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { podSpecOf } from '../../src/kube/pod-template.js';
import { asConfigMap } from '../../src/kube/typed-objects.js';
import { resolveCommand, resolveEnv } from '../../src/manifests/resolve-env.js';

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

/**
 * Translates a Deployment's pod template into `docker run` arguments: image, command and args exactly as the
 * manifest says, environment resolved as the kubelet does (resolveEnv), ConfigMap and emptyDir volumes,
 * user and read-only root from the security contexts. Only what the shop's manifests use is supported; an
 * unsupported field fails loudly instead of starting a different container than Kubernetes would.
 */
export function dockerRunFor(deploy: KubeObject, objects: readonly KubeObject[], network: string): DockerRun {
  const ns = deploy.metadata.namespace ?? 'default';
  const deployName = deploy.metadata.name;
  const pod = podSpecOf(deploy);
  const c = pod?.containers[0];
  if (!c) throw new Error(`${ns}/${deployName} has no container`);
  if (c.image === undefined) throw new Error(`${ns}/${deployName}: container ${c.name} names no image`);
  const podName = `${deployName}-image-check`;

  // The kubelet's rules, as the local substrate applies them (src/manifests/resolve-env.ts).
  const env = resolveEnv(c.env, { podName, namespace: ns, objects, owner: deploy });

  const args = ['--detach', '--name', `${deployName}-${ns}`, '--network', network, '--hostname', podName];
  const aliases = [deployName, `${deployName}.${ns}`, `${deployName}.${ns}.svc.cluster.local`];
  for (const a of aliases) args.push('--network-alias', a);
  for (const [k, v] of Object.entries(env)) args.push('--env', `${k}=${v}`);
  const user = c.securityContext?.runAsUser ?? pod?.securityContext?.runAsUser;
  const group = c.securityContext?.runAsGroup ?? pod?.securityContext?.runAsGroup;
  if (user !== undefined) args.push('--user', group !== undefined ? `${user}:${group}` : String(user));
  if (c.securityContext?.readOnlyRootFilesystem) args.push('--read-only');

  const configFiles = new Map<string, Record<string, string>>();
  for (const m of c.volumeMounts ?? []) {
    const vol = pod?.volumes?.find((v) => v.name === m.name);
    if (!vol) throw new Error(`${ns}/${deployName}: volumeMount ${m.name} names no volume`);
    if (m.subPath) throw new Error(`${ns}/${deployName}: subPath mounts are not supported here`);
    if (vol.emptyDir) {
      const owner = user !== undefined ? `,uid=${user}${group !== undefined ? `,gid=${group}` : ''}` : '';
      args.push('--tmpfs', `${m.mountPath}:rw,mode=1777${owner}`);
    } else if (vol.configMap) {
      const files = asConfigMap(
        objects.find(
          (o) =>
            o.kind === 'ConfigMap' && o.metadata.name === vol.configMap?.name && o.metadata.namespace === ns,
        ),
      )?.data;
      if (!files)
        throw new Error(`${ns}/${deployName}: ConfigMap ${vol.configMap.name} is not in the manifests`);
      configFiles.set(m.name, files);
      args.push('--volume', `{{volume:${m.name}}}:${m.mountPath}:ro`);
    } else throw new Error(`${ns}/${deployName}: volume ${m.name} is neither emptyDir nor configMap`);
  }

  // `command` replaces the image's entrypoint (docker takes its first word); `args` follow the image.
  const cmd = resolveCommand(c, env);
  if (c.command?.length) args.push('--entrypoint', cmd[0] as string, c.image, ...cmd.slice(1));
  else args.push(c.image, ...cmd);

  const probe = c.readinessProbe?.httpGet;
  let ready: DockerRun['ready'];
  if (probe) {
    const port = typeof probe.port === 'number' ? probe.port : namedPort([c], probe.port);
    if (port === undefined)
      throw new Error(`${ns}/${deployName}: probe port ${String(probe.port)} is unknown`);
    ready = { path: probe.path ?? '/', port };
  }
  return { name: `${deployName}-${ns}`, aliases, configFiles, args, ready };
}
