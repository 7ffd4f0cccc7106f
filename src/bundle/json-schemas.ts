import { z } from 'zod';
import { GroundTruthSchema } from './ground-truth.js';
import { ManifestSchema } from './manifest.js';

/**
 * The JSON Schemas committed under docs/schemas/, generated from the zod schemas (the single source).
 * `io: 'input'` describes the files as they may be written: fields with defaults are optional.
 * Regenerate with `npx tsx scripts/gen-bundle-schemas.ts`; a unit test fails when they are stale.
 */
export function bundleJsonSchemas(): Record<string, object> {
  return {
    'manifest.schema.json': z.toJSONSchema(ManifestSchema, { io: 'input' }),
    'ground_truth.schema.json': z.toJSONSchema(
      GroundTruthSchema.meta({
        title: 'firedrill ground truth (bundle format 1)',
        description: 'truth/ground_truth.json of a firedrill snapshot bundle; never shown to an agent',
      }),
      { io: 'input' },
    ),
  };
}

export const SCHEMAS_DIR = 'docs/schemas';
