import type { EntityId } from '../../src/entities/index.js';
import type { EntityIndex } from './entity-index.js';
import { specOf } from './kube.js';

/**
 * Is `address` (host:port) where a dependency's Service listens? Callers of a healthy setup dial the
 * Service by name or ClusterIP on one of its ports; a caller that dials anything else (a typo, a dead
 * port, a stale host) is misconfigured, whatever state the dependency is in.
 * Returns undefined when no Service for the dependency is known (nothing to compare with).
 */
export function isServiceAddress(
  index: EntityIndex,
  peer: string,
  callee: EntityId | undefined,
  address: string,
): boolean | undefined {
  const w = callee ? index.workloads.get(callee) : index.workloadByTelemetry(peer);
  const services = w
    ? index.servicesOf(w)
    : index.objectsOfKind('Service').filter((s) => s.metadata.name === peer);
  if (services.length === 0) return undefined;
  const [host, portText] = splitHostPort(address);
  let hasClusterIp = false;
  for (const svc of services) {
    const ns = svc.metadata.namespace ?? '';
    const name = svc.metadata.name;
    const spec = specOf<{ clusterIP?: string; clusterIPs?: string[]; ports?: Array<{ port?: number }> }>(svc);
    const hosts = new Set([
      name,
      `${name}.${ns}`,
      `${name}.${ns}.svc`,
      `${name}.${ns}.svc.cluster.local`,
      ...(spec.clusterIP ? [spec.clusterIP] : []),
      ...(spec.clusterIPs ?? []),
    ]);
    if (spec.clusterIP && spec.clusterIP !== 'None') hasClusterIp = true;
    if (!hosts.has(host)) continue;
    const ports = (spec.ports ?? []).map((p) => p.port).filter((p): p is number => typeof p === 'number');
    if (portText === undefined || ports.length === 0 || ports.includes(Number(portText))) return true;
  }
  // A headless Service is dialled at pod addresses we cannot judge: no verdict rather than a wrong one.
  return hasClusterIp || hostNamed(services, host) ? false : undefined;
}

function hostNamed(services: Array<{ metadata: { name: string } }>, host: string): boolean {
  return services.some((s) => host === s.metadata.name || host.startsWith(`${s.metadata.name}.`));
}

function splitHostPort(address: string): [string, string | undefined] {
  const m = address.match(/^\[?([^\]]+?)\]?(?::(\d+))?$/);
  return m ? [m[1], m[2]] : [address, undefined];
}
