import { environmentDrift, type DriftItem } from '../compare/environment-drift.js';
import { containersOf } from '../kube/containers.js';
import { podSpecOf } from '../kube/pod-template.js';
import { loadManifests } from '../manifests/load-manifests.js';
import { MANIFESTS_DIR, SHOP_MANIFESTS_DIR } from '../manifests/paths.js';
import type { RunPlan } from '../runner/run-plan.js';
import type { Scenario } from '../scenario/scenario.js';
import { scenarioHash } from '../scenario/scenario-hash.js';
import { substrateRegistration } from '../substrates/registry.js';
import { findTool } from '../tools/find-tool.js';
import { TOOL_VERSION } from '../version.js';
import { join } from 'node:path';
import type { Recipe } from './recipe.js';

/**
 * What this machine would run, known before anything starts: firedrill's and Node's versions, the
 * substrate's tools, and the images the manifests name. Digests and the cluster's version are only known
 * once it is up; `bundle diff` compares them after the run.
 */
export async function currentEnvironment(substrate: string): Promise<Record<string, unknown>> {
  const tools: Record<string, { version: string }> = {};
  for (const spec of substrateRegistration(substrate).tools) {
    const found = await findTool(spec);
    if (found?.version) tools[spec.name] = { version: found.version };
  }
  const images: Record<string, string> = {};
  for (const dir of [SHOP_MANIFESTS_DIR, join(MANIFESTS_DIR, 'observability')]) {
    for (const obj of await loadManifests(dir).catch(() => [])) {
      if (obj.kind !== 'Deployment' && obj.kind !== 'StatefulSet' && obj.kind !== 'DaemonSet') continue;
      for (const c of containersOf(podSpecOf(obj)))
        if (c.image)
          images[`${obj.metadata.namespace ?? 'default'}/${obj.metadata.name}/${c.name}`] = c.image;
    }
  }
  return { firedrill: TOOL_VERSION, node: process.version, tools, images };
}

export interface PreflightInputs {
  /** What the bundle's manifest recorded. */
  recorded: { environment: Record<string, unknown>; scenarioHash: string };
  recipe: Recipe;
  scenario: Scenario;
  /** The substrate the re-staging will use. */
  substrate: string;
  /** This firedrill's plan for the recipe (planRun with the recorded secret). */
  plan: RunPlan;
  /** `actions[].kind` of truth/background.json, in order. */
  recordedBackground: string[];
  current: Record<string, unknown>;
}

/**
 * Everything that makes the re-staging differ from the recorded run before it starts: other versions or
 * images, another substrate, a scenario that resolves differently (fault defaults changed), a run plan
 * drawn differently from the same secret. Reported before starting; `--strict` refuses to run on any.
 */
export function preflightDrift(i: PreflightInputs): DriftItem[] {
  const out = environmentDrift(i.recorded.environment, i.current, { digests: false });
  if (i.substrate !== i.recipe.substrate)
    out.push({ what: 'substrate', recorded: i.recipe.substrate, current: i.substrate });
  const hash = scenarioHash(i.scenario);
  if (hash !== i.recorded.scenarioHash)
    out.push({
      what: 'scenario (as resolved: fault defaults, expected alerts)',
      recorded: i.recorded.scenarioHash.slice(0, 12),
      current: hash.slice(0, 12),
    });
  const offsets = (p: Pick<RunPlan, 'warmupMs' | 'leadMs' | 'tailMs'>): string =>
    `warmup ${p.warmupMs} ms, lead ${p.leadMs} ms, tail ${p.tailMs} ms`;
  if (offsets(i.plan) !== offsets(i.recipe))
    out.push({
      what: 'window offsets drawn from the secret',
      recorded: offsets(i.recipe),
      current: offsets(i.plan),
    });
  // Bundles from before the load seed was drawn ran the scenario's seed; reproduce runs that again.
  if (i.recipe.loadSeed !== undefined && i.recipe.loadSeed !== i.plan.loadSeed)
    out.push({
      what: "load generator's seed drawn from the secret",
      recorded: String(i.recipe.loadSeed),
      current: String(i.plan.loadSeed),
    });
  // Actions planned after observation ended never ran, so the record is a prefix of the plan.
  const planned = i.plan.background.map((a) => a.kind);
  if (i.recordedBackground.some((kind, k) => planned[k] !== kind))
    out.push({
      what: 'background schedule drawn from the secret',
      recorded: i.recordedBackground.join(', ') || 'none',
      current: planned.join(', ') || 'none',
    });
  return out;
}
