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
}

export function imageCommand(image: string, repoRoot: string): ImageCommand | undefined {
  const repo = repoOf(image);
  shopRepo ??= repoOf(loadVersions().images.shop.image);
  if (repo === shopRepo) {
    return {
      entrypoint: ['node', join(repoRoot, 'dist/apps/shop/src/main.js')],
      resolve: (a) => (a === 'node' ? process.execPath : a),
      localArgs: () => [],
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
  return undefined;
}
