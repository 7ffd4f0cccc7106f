import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tryParseEntityId, type EntityId } from '../entities/entity-id.js';
import { ManifestError } from '../errors/manifest-error.js';
import { parseManifestText } from '../manifests/load-manifests.js';
import { SHOP_MANIFESTS_DIR } from '../manifests/paths.js';
import { SYSTEM_NAMESPACE } from '../platform/app-namespaces.js';
import { runsDataStore } from '../platform/data-stores.js';
import { REPO_ROOT } from '../version.js';
import type { ManifestEntry } from '../manifests/k8s-object.js';
import type { APPS } from './scenario-schema.js';

/**
 * What an app deploys, read offline from its manifests: the namespaces it owns and every object in them.
 * Validation checks fault targets against it, so a target that does not exist (a typo) or that is not
 * the app's (`kube-system/Deployment/coredns`) is refused before anything runs.
 */
export interface AppInventory {
  app: string;
  /** Repository-relative, for messages. */
  manifestsDir: string;
  /** Namespaces of the app's objects; the testbed's own (firedrill-system) is not the app's. */
  namespaces: readonly string[];
  objects: ReadonlySet<EntityId>;
  /** Deployments that hold data (Redis, PostgreSQL): kept across resets, never deployed afresh. */
  dataStores: ReadonlySet<EntityId>;
  /** Names per namespace/kind, for "did you mean" lists. */
  names: ReadonlyMap<string, readonly string[]>;
}

const MANIFEST_DIRS: Record<(typeof APPS)[number], string> = { shop: SHOP_MANIFESTS_DIR };
const cache = new Map<string, AppInventory>();

/**
 * The inventory of an app's manifests (read once per process). Synchronous because scenario checking is:
 * the files are part of firedrill and small.
 */
export function appInventory(app: (typeof APPS)[number]): AppInventory {
  const hit = cache.get(app);
  if (hit) return hit;
  const dir = MANIFEST_DIRS[app];
  const shown = relative(REPO_ROOT, dir);
  const entries: ManifestEntry[] = [];
  const problems: ManifestError['problems'][number][] = [];
  for (const name of readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort())
    parseManifestText(readFileSync(join(dir, name), 'utf8'), join(shown, name), entries, problems);
  if (problems.length > 0) throw new ManifestError(problems);
  const objects = new Set<EntityId>();
  const dataStores = new Set<EntityId>();
  const namespaces = new Set<string>();
  const names = new Map<string, string[]>();
  for (const { object } of entries) {
    const ns = object.metadata.namespace;
    if (ns === SYSTEM_NAMESPACE) continue;
    const r = tryParseEntityId(
      ns ? `${ns}/${object.kind}/${object.metadata.name}` : `${object.kind}/${object.metadata.name}`,
    );
    if (!r.ok) continue;
    objects.add(r.id);
    if (object.kind === 'Deployment' && runsDataStore(object)) dataStores.add(r.id);
    if (r.ref.namespace) {
      namespaces.add(r.ref.namespace);
      const key = `${r.ref.namespace}/${r.ref.kind}`;
      names.set(key, [...(names.get(key) ?? []), r.ref.name].sort());
    }
  }
  const inventory: AppInventory = {
    app,
    manifestsDir: shown,
    namespaces: [...namespaces].sort(),
    objects,
    dataStores,
    names,
  };
  cache.set(app, inventory);
  return inventory;
}
