import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MissingToolError } from '../errors/missing-tool-error.js';
import { loadVersions } from '../versions/versions.js';

/** The control-plane binaries scripts/build-k8s-tools.sh builds from Go modules. */
export const K8S_TOOL_NAMES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl'] as const;
export type K8sToolName = (typeof K8S_TOOL_NAMES)[number];
export type K8sToolPaths = Record<K8sToolName, string>;

/** What to run to get the binaries; the same words in every message that asks for them. */
export const K8S_TOOLS_INSTALL = 'make k8s-tools (scripts/build-k8s-tools.sh; see docs/air-gapped.md)';

export interface K8sToolsDirOptions {
  /** Default `$FIREDRILL_CACHE`, else `~/.cache/firedrill`. */
  cacheDir?: string;
  /** Default versions.json `tools.kubernetes`. */
  version?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Where scripts/build-k8s-tools.sh puts the binaries: `<cache>/k8s/<kubernetes version>/bin`. Keyed by
 * version so a bump in versions.json never runs binaries built for the previous release.
 */
export function k8sToolsDir(opts: K8sToolsDirOptions = {}): string {
  const env = opts.env ?? process.env;
  const cache = opts.cacheDir ?? (env.FIREDRILL_CACHE || join(homedir(), '.cache', 'firedrill'));
  const version = opts.version ?? loadVersions().tools.kubernetes;
  return join(cache, 'k8s', version, 'bin');
}

/** Names of the binaries absent from `dir` (or not executable there); empty when all are present. */
export function missingK8sTools(dir: string, names: readonly K8sToolName[] = K8S_TOOL_NAMES): K8sToolName[] {
  return names.filter((name) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

/** The binaries' paths; throws MissingToolError naming the first missing one and how to build them. */
export function requireK8sTools(dir: string = k8sToolsDir()): K8sToolPaths {
  const missing = missingK8sTools(dir);
  if (missing.length > 0) {
    throw new MissingToolError(
      missing[0],
      K8S_TOOLS_INSTALL,
      `looked in ${dir}; missing: ${missing.join(', ')}`,
    );
  }
  return Object.fromEntries(K8S_TOOL_NAMES.map((n) => [n, join(dir, n)])) as K8sToolPaths;
}
