/** What `kind create cluster` is given. */
export interface KindClusterSpec {
  name: string;
  /** Path of the kind config file (manifests/kind/cluster.yaml). */
  config: string;
  /** Node image, pinned by digest (`kindest/node:v1.34.0@sha256:...`). */
  image: string;
  /** `--wait`: how long kind waits for the control plane to be ready. */
  waitSec: number;
  /** `--retain`: keep the nodes when creation fails, so `export logs` has something to read. */
  retain?: boolean;
  /** `--kubeconfig`: write the context here instead of $KUBECONFIG / ~/.kube/config. */
  kubeconfig?: string;
}

/** Versions found by `check`. */
export interface KindPrerequisites {
  /** `kind version`'s release, e.g. `0.30.0`; undefined when it could not be read. */
  kind: string | undefined;
  /** The Docker daemon's version (`docker info`). */
  docker: string | undefined;
}

/**
 * The kind CLI (and the docker daemon behind it). One real adapter runs the binaries with execa
 * (ExecaKindCli); tests use a fake that records calls. Errors from a failed command are KindCommandError.
 */
export interface KindCli {
  /**
   * kind and docker are installed and the daemon answers. Throws MissingToolError naming what is missing
   * and how to install it, or DockerDaemonError saying how to start the daemon.
   */
  check(signal?: AbortSignal): Promise<KindPrerequisites>;
  createCluster(spec: KindClusterSpec, signal?: AbortSignal): Promise<void>;
  /** Names of existing kind clusters (empty when there are none). */
  getClusters(): Promise<string[]>;
  /** The cluster's kubeconfig (server on 127.0.0.1) as YAML. */
  getKubeconfig(name: string): Promise<string>;
  /** Copies a local docker image onto every node (nothing is pushed to a registry). */
  loadDockerImage(image: string, name: string, signal?: AbortSignal): Promise<void>;
  /** Node logs, kubelet and container logs into `dir` (for bring-up failures). */
  exportLogs(name: string, dir: string): Promise<void>;
  /** Idempotent: deleting a cluster that does not exist succeeds. */
  deleteCluster(name: string): Promise<void>;
}
