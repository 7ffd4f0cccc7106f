import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { namedPort } from '../../kube/containers.js';
import type { Container, KubeObject, Probe } from '../../kube/kube-object.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { containerOf } from './object-snapshot.js';

/** A port name as Kubernetes accepts it (IANA_SVC_NAME): at most 15 characters, a letter among them. */
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;
const PORT_MESSAGE = 'must be a port number 1-65535 or a port name like http';

/** The fields a probe fault may repoint; every type that uses them adds its own description of the default. */
export function probeFields(kind: 'readiness' | 'liveness', defaultPath: string) {
  return {
    container: z
      .string()
      .optional()
      .meta({ description: 'Container whose probe to change; default the first' }),
    path: z
      .string()
      .regex(/^\/[^\s]*$/, 'must be an absolute HTTP path like /ready')
      .optional()
      .meta({
        description: `HTTP path the ${kind} probe requests instead; default ${defaultPath} when no port is given`,
      }),
    port: z
      .union(
        [
          z.number().int(PORT_MESSAGE).min(1, PORT_MESSAGE).max(65535, PORT_MESSAGE),
          z.string().regex(PORT_NAME, PORT_MESSAGE),
        ],
        { error: PORT_MESSAGE },
      )
      .optional()
      .meta({ description: `Port (number or container port name) the ${kind} probe checks instead` }),
  };
}

export type ProbeField = 'readinessProbe' | 'livenessProbe';

/** The port number a probe's port stands for (a name is looked up in the container's ports). */
export function portNumber(c: Container, port: number | string | undefined): number | string | undefined {
  if (typeof port !== 'string') return port;
  return namedPort([c], port) ?? port;
}

/** What the kubelet actually checks, so `port: 8080` for a probe on the port named `http` (8080) counts as no change. */
function effective(c: Container, probe: Probe): unknown {
  if (probe.httpGet) {
    return { ...probe, httpGet: { ...probe.httpGet, port: portNumber(c, probe.httpGet.port) } };
  }
  if (probe.tcpSocket) {
    return { ...probe, tcpSocket: { ...probe.tcpSocket, port: portNumber(c, probe.tcpSocket.port) } };
  }
  return probe;
}

/**
 * Points one container's readiness or liveness probe at a wrong path or port (changing `deploy` in place).
 * An HTTP probe takes `path` (default `defaultPath` when no port is given) and `port`; a TCP probe only a
 * `port`; a command or gRPC probe is refused, as are a container without the probe and a change that leaves
 * the probe checking what it checked before (it would stage nothing).
 */
export function repointProbe(
  deploy: KubeObject,
  field: ProbeField,
  defaultPath: string,
  p: { container?: string; path?: string; port?: number | string; timeoutSeconds?: number },
): void {
  const c = containerOf(deploy, p.container);
  const kind = field === 'readinessProbe' ? 'readiness' : 'liveness';
  const where = `container ${c.name} of Deployment ${deploy.metadata.namespace ?? ''}/${deploy.metadata.name}`;
  const before = c[field];
  if (!before) throw new InvalidInputError(`${where} has no ${kind} probe to change`);
  const probe = structuredClone(before);
  if (probe.httpGet) {
    const path = p.path ?? (p.port === undefined ? defaultPath : undefined);
    if (path !== undefined) probe.httpGet.path = path;
    if (p.port !== undefined) probe.httpGet.port = p.port;
  } else if (probe.tcpSocket) {
    if (p.path !== undefined || p.port === undefined) {
      throw new InvalidInputError(
        `the ${kind} probe of ${where} is a TCP check on port ${String(probe.tcpSocket.port)}, which has no path; give a port only`,
      );
    }
    probe.tcpSocket.port = p.port;
  } else {
    throw new InvalidInputError(
      `the ${kind} probe of ${where} ${probe.exec ? 'runs a command' : 'is not an HTTP or TCP check'}; only HTTP and TCP probes can be pointed at another path or port`,
    );
  }
  if (p.timeoutSeconds !== undefined) probe.timeoutSeconds = p.timeoutSeconds;
  if (isDeepStrictEqual(effective(c, probe), effective(c, before))) {
    throw new InvalidInputError(`the ${kind} probe of ${where} already checks that; nothing would change`);
  }
  c[field] = probe;
}
