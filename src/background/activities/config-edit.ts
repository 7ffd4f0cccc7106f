import { formatEntityId } from '../../entities/entity-id.js';
import { editConfigMapAndRollOut, mountsConfigMap } from '../../faults/support/config-rollout.js';
import { planChange } from '../../faults/support/object-snapshot.js';
import { volumeRefsOf } from '../../kube/pod-references.js';
import { podSpecOf } from '../../kube/pod-template.js';
import { setJsonValueInText } from '../../util/json-text-edit.js';
import type { ActivityKind } from '../activity-kind.js';
import { eligibleDeployments, pickFrom } from '../eligible.js';

const KEY = 'config.json';

/**
 * Edits an operator makes to a service's config file that change nothing its callers see: a log level
 * turned up, a cache kept longer, a price or exchange rate updated, a slow-query threshold. Only paths the
 * file already has are edited (in place, the rest of the file kept), never a timeout, pool or address: those
 * decide whether calls fail, and are what the faults edit.
 */
const HARMLESS_EDITS: ReadonlyArray<{ path: string[]; values: readonly unknown[] }> = [
  { path: ['logLevel'], values: ['debug'] },
  { path: ['cacheTtlSeconds'], values: [45, 60] },
  { path: ['cartTtlSeconds'], values: [1800, 7200] },
  { path: ['maxItems'], values: [30, 40] },
  { path: ['baseCostUsd'], values: [5.49, 5.99] },
  { path: ['perItemUsd'], values: [1.09, 1.19] },
  { path: ['rates', 'EUR'], values: [0.91, 0.93] },
  { path: ['rates', 'GBP'], values: [0.78, 0.8] },
  { path: ['db', 'slowQueryMs'], values: [250, 300] },
];

/**
 * A routine config change beside the incident: one harmless value of a service's config file edited in
 * its ConfigMap (`kubectl edit cm`), and the Deployments that mount it rolled out to pick it up, as the
 * config faults do with a harmful one. So a ConfigMap changed in the window and the rollout after it are
 * no longer the fault's alone. The edit stays until the next run's reset re-applies the manifests.
 */
export const configEdit: ActivityKind = {
  id: 'config-edit',
  needs: ['objects', 'rollouts'],
  alerts: [],
  plan(rng) {
    return { params: { value: rng.next() } };
  },
  async run(action, ctx) {
    const { objects } = ctx.target;
    const deployments = await objects.list('Deployment', ctx.namespace);
    // A Deployment the scenario keeps background off must not be rolled by an edit either: a ConfigMap it
    // mounts is never a choice, so the draw falls on one that can be edited.
    const leftAlone = (configMap: string): boolean =>
      deployments.some((d) => ctx.excluded.has(d.metadata.name) && mountsConfigMap(d, configMap));
    // Each eligible Deployment's ConfigMaps with a config file, with the edits that file allows.
    const options: Array<{ configMap: string; path: string[]; values: readonly unknown[] }> = [];
    for (const d of await eligibleDeployments(ctx)) {
      for (const ref of volumeRefsOf(podSpecOf(d))) {
        if (ref.kind !== 'ConfigMap' || ctx.excluded.has(ref.name) || leftAlone(ref.name)) continue;
        const text = (await objects.get('ConfigMap', ctx.namespace, ref.name))?.data?.[KEY];
        if (text === undefined) continue;
        for (const e of HARMLESS_EDITS) {
          const values = e.values.filter((v) => setJsonValueInText(text, e.path, v) !== text);
          if (values.length > 0 && setJsonValueInText(text, e.path, values[0]) !== undefined)
            options.push({ configMap: ref.name, path: e.path, values });
        }
      }
    }
    const unique = [...new Map(options.map((o) => [`${o.configMap}/${o.path.join('.')}`, o])).values()];
    const pick = pickFrom(unique, action.pick);
    const value = pick && pickFrom(pick.values, Number(action.params.value));
    if (!pick || value === undefined) return { target: null, detail: 'no config file to edit' };
    const ref = { namespace: ctx.namespace, kind: 'ConfigMap', name: pick.configMap };
    const plan = await planChange(objects, ref, (cm) => {
      const text = cm.data?.[KEY] ?? '';
      cm.data = { ...(cm.data ?? {}), [KEY]: setJsonValueInText(text, pick.path, value) ?? text };
    });
    await editConfigMapAndRollOut({
      objects,
      logger: ctx.logger,
      configMap: ref,
      plan,
      restart: true,
      rolledOut: 'rolled out with the edited config',
    });
    return { target: formatEntityId(ref), detail: `${pick.path.join('.')} set to ${JSON.stringify(value)}` };
  },
};
