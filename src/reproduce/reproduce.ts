import { access, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openBundle } from '../bundle/bundle-reader.js';
import { TruthFile } from '../bundle/layout.js';
import { diffBundles, type BundleDiff } from '../compare/bundle-diff.js';
import { readBundleFacts, runIdentity, type BundleFacts, type RunIdentity } from '../compare/bundle-facts.js';
import type { DriftItem } from '../compare/environment-drift.js';
import { DEFAULT_STABILITY_THRESHOLD } from '../compare/stability.js';
import { ExitCode } from '../errors/exit-codes.js';
import { FiredrillError } from '../errors/firedrill-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { defaultCatalog } from '../faults/catalog.js';
import type { Substrate } from '../platform/substrate.js';
import type { RunLog } from '../runner/run-log.js';
import { planRun } from '../runner/run-plan.js';
import { runSeries, type RunFn, type SeriesProgress, type SeriesRun } from '../runner/run-series.js';
import { loadScenarioFile, loadScenarioText } from '../scenario/load-scenario.js';
import type { Scenario } from '../scenario/scenario.js';
import { substrateRegistration } from '../substrates/registry.js';
import { currentEnvironment, preflightDrift } from './preflight.js';
import { readRecipe, type Recipe } from './recipe.js';

export interface ReproduceOptions {
  /** The bundle to re-stage: a directory or a packed bundle. */
  bundle: string;
  /** Default: the substrate the bundle recorded. */
  substrate?: string;
  outDir: string;
  /** How many times to re-stage the same run; each goes to its own folder (the bundle id is the same). */
  repeats: number;
  /** Refuse to start when anything drifted from the recorded run. */
  strict?: boolean;
  /** Replace earlier reproductions in outDir. */
  force?: boolean;
  /** Re-stage this scenario file instead of the recorded one (to see what an edit changes). */
  scenarioFile?: string;
  threshold?: number;
  signal: AbortSignal;
  progress: SeriesProgress;
  createSubstrate(name: string): Promise<Substrate>;
  runOne: RunFn;
  openRunLog(file: string, bindings: Record<string, unknown>): RunLog;
  /** What this machine would run (default: currentEnvironment()); tests pass a fixed one. */
  currentEnvironment?(substrate: string): Promise<Record<string, unknown>>;
  /** Called once drift is known, before anything starts (the CLI prints it). */
  onDrift?(drift: DriftItem[]): void;
  /** Called as each re-staging has been compared. */
  onRun?(run: ReproducedRun): void;
}

export interface ReproducedRun {
  /** 1-based. */
  index: number;
  bundleDir: string | null;
  error: string | null;
  diff: BundleDiff | null;
}

export interface ReproduceResult {
  original: RunIdentity;
  substrate: string;
  scenarioFile: string | null;
  /** Found before starting (versions, substrate, scenario, drawn plan). */
  drift: DriftItem[];
  runs: ReproducedRun[];
  /** Re-stagings whose diff says "reproduced". */
  reproduced: number;
  verdict: 'reproduced' | 'differs';
}

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false,
  );

/** Where re-staging k of n goes: one run straight into outDir, several into outDir/1, outDir/2... */
export function runDir(outDir: string, index: number, repeats: number): string {
  return repeats === 1 ? outDir : join(outDir, String(index));
}

/**
 * Re-stages a bundle's run: the recorded scenario text, seed, repeat and corpus secret (so the same
 * window offsets, background schedule and bundle id), on the recorded substrate unless told otherwise,
 * then compares every new bundle with the original (`bundle diff`). Drift is reported before anything
 * starts; with `strict` it stops there.
 */
export async function reproduce(o: ReproduceOptions): Promise<ReproduceResult> {
  const original = await openBundle(o.bundle);
  let facts: BundleFacts;
  let recipe: Recipe;
  let scenario: Scenario;
  let recordedBackground: string[];
  try {
    const r = await readRecipe(original);
    recipe = r.recipe;
    scenario = o.scenarioFile
      ? await loadScenarioFile(o.scenarioFile, defaultCatalog())
      : loadScenarioText(r.scenarioText, `${original.source}!${TruthFile.scenario}`, defaultCatalog());
    recordedBackground = original.has(TruthFile.background)
      ? (
          (await original.readJson<{ actions?: Array<{ kind: string }> }>(TruthFile.background)).actions ?? []
        ).map((a) => a.kind)
      : [];
    facts = await readBundleFacts(original);
  } finally {
    await original.close();
  }
  const substrate = o.substrate ?? recipe.substrate;
  const registration = substrateRegistration(substrate);
  if (!scenario.spec.substrates.includes(substrate))
    throw new InvalidInputError(
      `scenario ${scenario.metadata.id} cannot run on the ${substrate} substrate; it runs on: ${scenario.spec.substrates.join(', ')}`,
    );
  if (o.scenarioFile && scenario.metadata.id !== recipe.scenarioId)
    throw new InvalidInputError(
      `${o.scenarioFile}: scenario ${scenario.metadata.id} is not the bundle's (${recipe.scenarioId}); keep metadata.id to compare an edit`,
    );

  const drawn = planRun({
    secret: recipe.secret,
    scenario,
    seed: recipe.seed,
    repeat: recipe.repeat,
    provides: registration.provides,
  });
  const drift = preflightDrift({
    recorded: facts,
    recipe,
    scenario,
    substrate,
    plan: drawn,
    recordedBackground,
    current: await (o.currentEnvironment ?? currentEnvironment)(substrate),
  });
  o.onDrift?.(drift);
  if (o.strict && drift.length > 0)
    throw new FiredrillError(
      `--strict: ${drift.length} difference(s) from the recorded run (listed above); nothing was started`,
      ExitCode.MissingPrerequisite,
    );

  // The recorded offsets, whatever this version draws: the window must open and close where it did.
  const plan = {
    ...drawn,
    warmupMs: recipe.warmupMs,
    leadMs: recipe.leadMs,
    tailMs: recipe.tailMs,
    loadSeed: recipe.loadSeed ?? recipe.seed,
    recordChangeCause: recipe.recordChangeCause ?? drawn.recordChangeCause,
    history: recipe.history
      ? { appAgeMs: recipe.history.appAgeMs, clusterAgeMs: recipe.history.clusterAgeMs }
      : drawn.history,
    load: recipe.load ?? scenario.spec.load,
    pastSeed: recipe.history?.pastSeed ?? drawn.pastSeed,
  };
  const outDir = resolve(o.outDir);
  const runs: SeriesRun[] = [];
  for (let k = 1; k <= o.repeats; k++) {
    const dir = runDir(outDir, k, o.repeats);
    const target = join(dir, facts.bundleId);
    if (resolve(o.bundle) === target)
      throw new InvalidInputError(
        `${target} is the bundle being reproduced; the re-staged bundle has the same id, choose another --out`,
      );
    if (!o.force && (await exists(target)))
      throw new InvalidInputError(
        `${target} already exists; pass --force to replace it or choose another --out`,
      );
    await mkdir(dir, { recursive: true });
    runs.push({
      scenario,
      repeat: recipe.repeat,
      seed: recipe.seed,
      bundleId: facts.bundleId,
      outDir: dir,
      plan,
    });
  }

  const results: ReproducedRun[] = [];
  const series = await runSeries({
    runs,
    outDir,
    createSubstrate: () => o.createSubstrate(substrate),
    runOne: o.runOne,
    registry: defaultCatalog(),
    secret: recipe.secret,
    signal: o.signal,
    progress: o.progress,
    replace: o.force,
    // A failed re-staging is a result too; the others still say whether the incident reproduces.
    stopOnFailure: false,
    openRunLog: (run) =>
      o.openRunLog(join(run.outDir ?? outDir, `${run.bundleId}.log.ndjson`), {
        bundleId: run.bundleId,
        scenario: run.scenario.metadata.id,
        reproduces: facts.source,
      }),
    onResult: async (r) => {
      const index = results.length + 1;
      let run: ReproducedRun;
      if (r.ok) {
        const b = await openBundle(r.outcome.bundleDir);
        try {
          const d = diffBundles(facts, await readBundleFacts(b), o.threshold ?? DEFAULT_STABILITY_THRESHOLD);
          run = { index, bundleDir: r.outcome.bundleDir, error: null, diff: d };
        } finally {
          await b.close();
        }
      } else {
        run = {
          index,
          bundleDir: r.committed ? join(r.run.outDir ?? outDir, r.run.bundleId) : null,
          error: r.error instanceof Error ? r.error.message : String(r.error),
          diff: null,
        };
      }
      results.push(run);
      o.onRun?.(run);
    },
  });
  if (series.interrupted !== null)
    throw new FiredrillError(
      'interrupted: faults recovered, processes stopped, no partial bundle left',
      ExitCode.Interrupted,
      { cause: series.interrupted },
    );
  const reproduced = results.filter((r) => r.diff?.verdict === 'reproduced').length;
  return {
    original: runIdentity(facts),
    substrate,
    scenarioFile: o.scenarioFile ?? null,
    drift,
    runs: results,
    reproduced,
    verdict: reproduced === o.repeats ? 'reproduced' : 'differs',
  };
}
