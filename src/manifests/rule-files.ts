import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { K8sObject } from './k8s-object.js';
import { RULES_DIR } from './paths.js';

/**
 * Absolute paths of the Prometheus rule files (`*.rules.yaml` / `*.rules.yml` directly in `dir`), sorted.
 * The local substrate lists them under `rule_files:`; on Kubernetes they are mounted from a ConfigMap.
 */
export async function loadRuleFiles(dir: string = RULES_DIR): Promise<string[]> {
  const names = await readdir(dir, { withFileTypes: true });
  return names
    .filter((d) => d.isFile() && /\.rules\.ya?ml$/.test(d.name))
    .map((d) => join(dir, d.name))
    .sort();
}

/**
 * A ConfigMap carrying the rule files unchanged, one key per file name, for Prometheus on Kubernetes to
 * mount (e.g. at /etc/prometheus/rules) and list as `rule_files: [/etc/prometheus/rules/*.yaml]`.
 */
export async function rulesConfigMap(
  files: readonly string[],
  meta: { name: string; namespace: string; labels?: Record<string, string> },
): Promise<K8sObject> {
  const data: Record<string, string> = {};
  for (const f of files) data[basename(f)] = await readFile(f, 'utf8');
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: meta.name, namespace: meta.namespace, ...(meta.labels ? { labels: meta.labels } : {}) },
    data,
  };
}
