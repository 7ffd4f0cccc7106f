import { z } from 'zod';
import type { BundleHandle } from '../bundle/bundle-reader.js';
import { TruthFile } from '../bundle/layout.js';
import { formatIssues } from '../bundle/manifest.js';
import { BundleError } from '../errors/bundle-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';

/** truth/recipe.json (src/runner/phases/capture.ts writes it): what a run was drawn from. */
export const RecipeSchema = z.object({
  scenarioId: z.string().min(1),
  seed: z.number().int(),
  repeat: z.number().int().nonnegative(),
  substrate: z.string().min(1),
  secret: z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected 64 lower-case hex digits' }),
  warmupMs: z.number().nonnegative(),
  leadMs: z.number().nonnegative(),
  tailMs: z.number().nonnegative(),
  /** The load generator's seed (drawn from the secret); bundles from before it was drawn ran `seed`. */
  loadSeed: z.number().int().optional(),
  /** Whether the run's rollouts carried `kubernetes.io/change-cause`; absent in bundles from before it was drawn. */
  recordChangeCause: z.boolean().optional(),
  /** How far times before the run were moved into the past; absent in bundles from before they were. */
  history: z
    .object({
      appAgeMs: z.number().nonnegative(),
      clusterAgeMs: z.number().nonnegative(),
      /** The key of the drawn rollouts before the run; absent in bundles from before they were drawn. */
      pastSeed: z.string().optional(),
    })
    .optional(),
  /** The load the run drove; absent in bundles from before it was varied per run (the scenario's ran). */
  load: z
    .object({
      rps: z.number().positive(),
      mix: z.object({ browse: z.number(), cart: z.number(), checkout: z.number() }),
    })
    .optional(),
});
export type Recipe = z.infer<typeof RecipeSchema>;

export interface BundleRecipe {
  recipe: Recipe;
  /** truth/scenario.yaml: the scenario file that ran, byte for byte. */
  scenarioText: string;
}

/**
 * The recipe and scenario a bundle carries. Bundles written before they carried them cannot be
 * re-staged: the secret their window offsets and background were drawn from is gone with the run.
 */
export async function readRecipe(bundle: BundleHandle): Promise<BundleRecipe> {
  const missing = [TruthFile.recipe, TruthFile.scenario].filter((f) => !bundle.has(f));
  if (missing.length > 0)
    throw new InvalidInputError(
      `${bundle.source}: this bundle carries no ${missing.join(' and ')}: it was written by a firedrill ` +
        `(${bundle.manifest.toolVersion}) from before bundles kept their recipe, so it cannot be re-staged ` +
        'exactly; run its scenario again with `firedrill run` and compare with `firedrill bundle diff`',
    );
  const parsed = RecipeSchema.safeParse(await bundle.readJson<unknown>(TruthFile.recipe));
  if (!parsed.success)
    throw new BundleError(
      formatIssues(parsed.error).map((l) => `${bundle.source}!${TruthFile.recipe}: ${l}`),
    );
  return { recipe: parsed.data, scenarioText: await bundle.readText(TruthFile.scenario) };
}
