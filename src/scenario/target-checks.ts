import type { ScenarioProblem } from '../errors/scenario-error.js';
import { tryParseEntityId } from '../entities/entity-id.js';
import type { AppInventory } from './app-inventory.js';
import type { ScenarioDocument } from './scenario-schema.js';
import type { YamlSource } from './yaml-source.js';
import { problem } from './zod-problems.js';

/**
 * Fault targets and root causes checked against what the app deploys (app-inventory.ts), offline.
 *
 * - A namespaced fault (or precondition) target must be one of the app's objects: every fault type acts on an object that
 *   exists (its docs say so: "the target must exist, or the fault is refused"); objects a fault creates
 *   (a NetworkPolicy, a ResourceQuota, an HPA) are named by its params, never by its target.
 * - A cluster-scoped target (a Node) depends on the substrate's cluster, not on the manifests: left to
 *   the run.
 * - Root causes and aliases may name objects that do not exist yet (what a fault creates, pods), but
 *   never another namespace than the app's: capture only looks there.
 */
export function targetProblems(
  doc: ScenarioDocument,
  source: YamlSource,
  inventory: AppInventory,
): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const owned = inventory.namespaces;
  const foreign = (ns: string): string =>
    `namespace "${ns}" is not the ${inventory.app}'s: its objects live in ${owned.join(', ')} (${inventory.manifestsDir})`;

  const changes = [
    ...doc.spec.faults.map((f, i) => ({
      target: f.target,
      at: ['spec', 'faults', i, 'target'],
      precondition: false,
    })),
    ...(doc.spec.preconditions ?? []).map((f, i) => ({
      target: f.target,
      at: ['spec', 'preconditions', i, 'target'],
      precondition: true,
    })),
  ];
  changes.forEach(({ target, at, precondition }) => {
    const ref = tryParseEntityId(target);
    if (!ref.ok || ref.ref.namespace === undefined) return;
    if (!owned.includes(ref.ref.namespace)) {
      problems.push(problem(source, at, foreign(ref.ref.namespace)));
      return;
    }
    if (inventory.objects.has(ref.id)) {
      // A reset deploys the app's stateless workloads afresh, with the preconditions in their first
      // revision; a data store keeps running (its data), so the change would roll it out in every run.
      if (precondition && inventory.dataStores.has(ref.id))
        problems.push(
          problem(
            source,
            at,
            `${ref.id} holds data and keeps running across runs, so a precondition on it would be a rollout of its own in every run; a precondition changes a workload the reset deploys afresh`,
          ),
        );
      return;
    }
    const names = inventory.names.get(`${ref.ref.namespace}/${ref.ref.kind}`) ?? [];
    problems.push(
      problem(
        source,
        at,
        `${ref.id} does not exist in the ${inventory.app}'s manifests (${inventory.manifestsDir}); ` +
          (names.length > 0
            ? `its ${ref.ref.kind}s in ${ref.ref.namespace}: ${names.join(', ')}`
            : `it has no ${ref.ref.kind} in ${ref.ref.namespace}`),
      ),
    );
  });

  doc.spec.groundTruth?.rootCauses.forEach((rc, i) => {
    const ids: Array<[string, Array<string | number>]> = [
      [rc.id, ['spec', 'groundTruth', 'rootCauses', i, 'id']],
      ...rc.aliases.map((a, j): [string, Array<string | number>] => [
        a,
        ['spec', 'groundTruth', 'rootCauses', i, 'aliases', j],
      ]),
    ];
    for (const [id, at] of ids) {
      const ref = tryParseEntityId(id);
      if (ref.ok && ref.ref.namespace !== undefined && !owned.includes(ref.ref.namespace))
        problems.push(problem(source, at, foreign(ref.ref.namespace)));
    }
  });
  return problems;
}
