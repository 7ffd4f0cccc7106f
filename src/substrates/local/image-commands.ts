import { join } from 'node:path';
import { loadVersions } from '../../versions/versions.js';

const repoOf = (image: string): string => image.split('@')[0].replace(/:[^/:]+$/, '');
let shopRepo: string | undefined;

/**
 * The local substrate has no images: each image the manifests name maps to an executable on this
 * machine. An image with no mapping cannot be "pulled", exactly as on a node that cannot reach it.
 */
export interface ImageCommand {
  /** Executable for a container that sets no `command` (the image's ENTRYPOINT). */
  entrypoint: string[];
  /** Replaces the container's argv[0] (e.g. `node` → this Node binary). */
  resolve(argv0: string): string;
  /** Arguments only the local substrate needs, e.g. binding redis to the pod's IP. */
  localArgs(podIp: string, podDir: string): string[];
  /**
   * The image's own environment (its Dockerfile `ENV`), with its paths under the pod directory; the
   * container's `env` overrides it, as on a node.
   */
  imageEnv?(podIp: string, podDir: string): Record<string, string>;
  /** A Node.js process: it looks names up at the cluster DNS through the preloaded resolver (DNS_SHIM). */
  nodeRuntime?: true;
}

/** The resolver every Node container loads (`--import`), built from src/substrates/local/dns-shim.ts. */
export const DNS_SHIM = 'dist/src/substrates/local/dns-shim.js';

/** The postgres image's entrypoint, which the local substrate runs for it (scripts/make-local-images.sh copies it in). */
export const POSTGRES_ENTRYPOINT = 'images/postgres/entrypoint.sh';

export function imageCommand(image: string, repoRoot: string): ImageCommand | undefined {
  const repo = repoOf(image);
  shopRepo ??= repoOf(loadVersions().images.shop.image);
  if (repo === shopRepo) {
    return {
      entrypoint: ['node', join(repoRoot, 'dist/apps/shop/src/main.js')],
      resolve: (a) => (a === 'node' ? process.execPath : a),
      localArgs: () => [],
      nodeRuntime: true,
    };
  }
  if (repo === 'redis' || repo === 'docker.io/library/redis') {
    return {
      entrypoint: ['redis-server'],
      resolve: (a) => a,
      localArgs: (ip, dir) => [
        '--bind',
        ip,
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
    };
  }
  if (repo === 'postgres' || repo === 'docker.io/library/postgres') {
    return {
      entrypoint: [join(repoRoot, POSTGRES_ENTRYPOINT)],
      resolve: (a) => a,
      // Later `-c` settings win: the pod's own address instead of the manifest's `*`, and the Unix socket
      // in the pod directory instead of the host's /var/run/postgresql (where a distribution cluster's is).
      localArgs: (ip, dir) => [
        '-c',
        `listen_addresses=${ip}`,
        '-c',
        `unix_socket_directories=${join(dir, 'run')}`,
      ],
      // The image's PGDATA default, for a pod that does not set it: never the host's /var/lib/postgresql.
      imageEnv: (_ip, dir) => ({ PGDATA: join(dir, 'pgdata') }),
    };
  }
  return undefined;
}
