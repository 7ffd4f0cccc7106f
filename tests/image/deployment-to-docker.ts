import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GenericContainer, PullPolicy, Wait, type StartedNetwork } from 'testcontainers';
import type { Container, KubeObject, Probe } from '../../src/kube/kube-object.js';
import { podSpecOf } from '../../src/kube/pod-template.js';
import { resolveCommand, resolveEnv } from '../../src/manifests/resolve-env.js';

/** Docker's HostConfig has a read-only root; GenericContainer has no option for it. */
class PodContainer extends GenericContainer {
  withReadOnlyRootFilesystem(): this {
    this.hostConfig.ReadonlyRootfs = true;
    return this;
  }
}

/** A Deployment's first container, configured as a kubelet would start it, not yet started. */
export interface DeploymentContainer {
  /** `<deployment>-<namespace>`. */
  name: string;
  /** DNS names the container answers to on the network: the in-cluster names its callers use. */
  aliases: string[];
  container: GenericContainer;
  /** The HTTP readiness endpoint (`/readyz` on 8080), published on a host port. */
  ready?: { path: string; port: number };
  /** The exec readiness probe's command, when the probe is one. */
  execProbe?: string[];
  /** What the manifest asks of the running container, for the suite to check inside it. */
  expect: {
    uid?: number;
    readOnlyRoot: boolean;
    /** emptyDir mount paths. */
    writable: string[];
    /** ConfigMap files by their path in the container. */
    files: Record<string, string>;
  };
}

/**
 * A Deployment's pod template as a testcontainers GenericContainer: the image it names (never pulled:
 * PullPolicy.defaultPolicy() pulls only an absent image, and the suite checks every image is present
 * first), command and args exactly as the manifest says, environment resolved as the kubelet does
 * (resolveEnv), ConfigMap volumes as read-only bind mounts of files written under `configRoot`,
 * emptyDir volumes as tmpfs, user, read-only root, dropped capabilities, and the readiness probe as the
 * wait strategy. Only what the shop's manifests use is supported; an unsupported field fails loudly
 * instead of starting a different container than Kubernetes would.
 */
export async function containerFor(
  deploy: KubeObject,
  objects: readonly KubeObject[],
  network: StartedNetwork,
  configRoot: string,
): Promise<DeploymentContainer> {
  const ns = deploy.metadata.namespace ?? 'default';
  const deployName = deploy.metadata.name;
  const name = `${deployName}-${ns}`;
  const pod = podSpecOf(deploy);
  if (!pod) throw new Error(`${deploy.metadata.namespace ?? ''}/${deploy.metadata.name} has no pod template`);
  const [c] = pod.containers;
  if (!c) throw new Error(`${ns}/${deployName} has no container`);
  const podName = `${deployName}-image-check`;
  function fail(what: string): never {
    throw new Error(`${ns}/${deployName}: ${what}`);
  }

  // The kubelet's rules, as the local substrate applies them (src/manifests/resolve-env.ts). The pod's
  // address is not known before the container starts: its host name, which Docker maps to that address in
  // the container's /etc/hosts, stands in for it.
  const env = resolveEnv(c.env, {
    podName,
    namespace: ns,
    objects,
    owner: deploy,
    fields: { 'status.podIP': podName },
  });
  const aliases = [deployName, `${deployName}.${ns}`, `${deployName}.${ns}.svc.cluster.local`];
  const container = new PodContainer(c.image ?? fail('the container names no image'))
    .withPullPolicy(PullPolicy.defaultPolicy())
    .withNetwork(network)
    .withNetworkAliases(...aliases)
    .withHostname(podName)
    .withEnvironment(env);

  // `command` replaces the image's entrypoint and `args` its CMD; with `command` alone the image's CMD is
  // dropped, which Docker also does once the entrypoint is set.
  const argv = resolveCommand(c, env);
  const commandLength = c.command?.length ?? 0;
  if (commandLength > 0) container.withEntrypoint(argv.slice(0, commandLength));
  if (c.args !== undefined) container.withCommand(argv.slice(commandLength));

  const sc = c.securityContext ?? {};
  const uid = sc.runAsUser ?? pod.securityContext?.runAsUser;
  const gid = sc.runAsGroup ?? pod.securityContext?.runAsGroup;
  if (uid !== undefined) container.withUser(gid !== undefined ? `${uid}:${gid}` : String(uid));
  if (sc.readOnlyRootFilesystem) container.withReadOnlyRootFilesystem();
  if (sc.allowPrivilegeEscalation === false) container.withSecurityOpt('no-new-privileges');
  if (sc.capabilities?.drop?.length) container.withDroppedCapabilities(...sc.capabilities.drop);
  if (sc.capabilities?.add?.length) container.withAddedCapabilities(...sc.capabilities.add);

  const tmpfs: Record<string, string> = {};
  const binds: Array<{ source: string; target: string; mode: 'ro' }> = [];
  const files: Record<string, string> = {};
  for (const m of c.volumeMounts ?? []) {
    const vol = pod.volumes?.find((v) => v.name === m.name);
    if (!vol) fail(`volumeMount ${m.name} names no volume`);
    if (m.subPath) fail('subPath mounts are not supported here');
    if (vol.emptyDir) {
      const owner = uid !== undefined ? `,uid=${uid}${gid !== undefined ? `,gid=${gid}` : ''}` : '';
      tmpfs[m.mountPath] = `rw,mode=1777${owner}`;
    } else if (vol.configMap) {
      const ref = vol.configMap;
      if (ref.items) fail(`ConfigMap volume ${m.name}: items are not supported here`);
      const data = objects.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name === ref.name && o.metadata.namespace === ns,
      )?.data;
      if (!data) fail(`ConfigMap ${ref.name} is not in the manifests`);
      // Bound, not copied: Docker refuses to copy into a container whose root is read-only ("container
      // rootfs is marked read-only"), and a ConfigMap volume is a read-only mount anyway.
      const dir = join(configRoot, name, m.name);
      await mkdir(dir, { recursive: true, mode: 0o755 });
      for (const [file, text] of Object.entries(data)) {
        await writeFile(join(dir, file), text, { mode: 0o644 });
        files[`${m.mountPath}/${file}`] = text;
      }
      binds.push({ source: dir, target: m.mountPath, mode: 'ro' });
    } else fail(`volume ${m.name} is neither emptyDir nor configMap`);
  }
  if (Object.keys(tmpfs).length > 0) container.withTmpFs(tmpfs);
  if (binds.length > 0) container.withBindMounts(binds);

  const probe = c.readinessProbe;
  let ready: DeploymentContainer['ready'];
  let execProbe: string[] | undefined;
  if (probe?.httpGet) {
    ready = { path: probe.httpGet.path ?? '/', port: probePort(probe, c, fail) };
    container
      .withExposedPorts(ready.port)
      .withWaitStrategy(
        Wait.forHttp(ready.path, ready.port, { abortOnContainerExit: true }).forStatusCode(200),
      );
  } else if (probe?.exec) {
    execProbe = probe.exec.command ?? fail('the exec readiness probe has no command');
    container.withWaitStrategy(Wait.forSuccessfulCommand(shellCommand(execProbe)));
  } else if (probe) fail('only httpGet and exec readiness probes are supported here');

  return {
    name,
    aliases,
    container,
    ready,
    execProbe,
    expect: { uid, readOnlyRoot: sc.readOnlyRootFilesystem === true, writable: Object.keys(tmpfs), files },
  };
}

function probePort(probe: Probe, c: Container, fail: (what: string) => never): number {
  const port = probe.httpGet?.port;
  if (typeof port === 'number') return port;
  return (
    c.ports?.find((p) => p.name === port)?.containerPort ?? fail(`probe port ${String(port)} is unknown`)
  );
}

/**
 * An exec probe's argv as the one string Wait.forSuccessfulCommand hands to `/bin/sh -c`: the script
 * itself when the probe is already `sh -c <script>`, else every word single-quoted.
 */
export function shellCommand(argv: readonly string[]): string {
  const [sh, flag, script] = argv;
  if (argv.length === 3 && (sh === 'sh' || sh === '/bin/sh') && flag === '-c') return script as string;
  return argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
}
