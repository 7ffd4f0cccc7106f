import type { KubeObject } from './kube-object.js';

/** The API server's `/version`. */
export interface ServerVersion {
  gitVersion: string;
  major?: string;
  minor?: string;
  platform?: string;
  goVersion?: string;
}

export interface PodLogOptions {
  container: string;
  /** The container's previous instance (after a restart), as `kubectl logs --previous`. */
  previous?: boolean;
  /** Only lines written at or after this time. */
  sinceTime?: Date;
  /** Stop after this many bytes (the kubelet may return slightly more). */
  limitBytes?: number;
}

/**
 * What the Kubernetes substrates need from a cluster: objects (the shape of platform's ObjectApi, which
 * faults and capture use; kept structural here so this client library depends on no contract above it),
 * plus the server version, events and container logs. One real implementation over HTTP (HttpClusterApi).
 */
export interface ClusterApi {
  get(kind: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  list(kind: string, namespace?: string, selector?: Record<string, string>): Promise<KubeObject[]>;
  /** Server-side apply with firedrill's field manager. */
  apply(obj: KubeObject): Promise<KubeObject>;
  /** Returns false when there was nothing to delete. */
  delete(kind: string, namespace: string | undefined, name: string): Promise<boolean>;
  version(): Promise<ServerVersion>;
  /** core/v1 Events in every namespace. */
  events(): Promise<KubeObject[]>;
  /**
   * A container's log with an RFC 3339 timestamp before each line (`timestamps=true`); empty when there
   * is nothing to read (no previous instance, container not started, pod gone).
   */
  podLog(namespace: string, pod: string, opts: PodLogOptions): Promise<string>;
}
