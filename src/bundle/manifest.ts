import { z } from 'zod';
import { BUNDLE_FORMAT, BUNDLE_ID_PATTERN } from './layout.js';

/**
 * `manifest.json`: the index and provenance of a bundle. The single source for validation, for the parsed
 * types and for docs/schemas/manifest.schema.json (scripts/gen-bundle-schemas.ts).
 */

const isoTime = z.iso.datetime({ offset: true });

export const FileEntrySchema = z.object({
  path: z
    .string()
    .min(1)
    .meta({ description: 'POSIX path relative to the bundle, below snapshot/ or truth/' }),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, { error: 'expected 64 lower-case hex digits' })
    .meta({ description: 'SHA-256 of the file bytes, lower-case hex' }),
  bytes: z.number().int().nonnegative().meta({ description: 'file size in bytes' }),
  records: z.number().int().nonnegative().meta({
    description:
      '.ndjson: lines; .json: items of a top-level array (alerts.json: active alerts), else 1; other files: lines',
  }),
});

export const CheckResultSchema = z.object({
  ok: z.boolean(),
  detail: z.string().default(''),
});

export const BundleTimesSchema = z.object({
  windowStart: isoTime.meta({ description: 'start of the incident window the snapshot covers' }),
  windowEnd: isoTime.meta({ description: 'end of the incident window' }),
  injectedAt: isoTime
    .nullable()
    .meta({ description: 'first fault injected; null when nothing was injected' }),
  manifestedAt: isoTime.nullable().meta({ description: 'expected alerts firing; null when they never did' }),
  capturedAt: isoTime.meta({ description: 'capture finished' }),
});

export const ManifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT).meta({ description: 'bundle format version' }),
    bundleId: z.string().regex(BUNDLE_ID_PATTERN, {
      error: 'must be one plain path segment ([A-Za-z0-9][A-Za-z0-9._-]*, at most 128 characters)',
    }),
    scenarioId: z.string().min(1),
    scenarioHash: z.string().min(1).meta({ description: 'hash of the scenario file as run' }),
    seed: z.number().int(),
    repeat: z.number().int().nonnegative(),
    substrate: z.string().min(1).meta({ description: 'local, kind or kubeconfig' }),
    toolVersion: z.string().min(1).meta({ description: 'firedrill version that wrote the bundle' }),
    times: BundleTimesSchema,
    manifested: z.boolean().meta({ description: 'the expected alerts fired before capture' }),
    environment: z.record(z.string(), z.unknown()).default({}).meta({
      description: 'free-form: Kubernetes version, images with digests, tool versions',
    }),
    files: z
      .array(FileEntrySchema)
      .meta({ description: 'every data file of the bundle except manifest.json' }),
    checks: z.record(z.string(), CheckResultSchema).default({}).meta({
      description: 'validity checks of the run, by name',
    }),
  })
  .meta({
    title: 'firedrill bundle manifest (format 1)',
    description: 'manifest.json of a firedrill snapshot bundle; see docs/bundle-format.md',
  });

export type FileEntry = z.infer<typeof FileEntrySchema>;
export type CheckResult = z.infer<typeof CheckResultSchema>;
export type BundleTimes = z.infer<typeof BundleTimesSchema>;
export type Manifest = z.infer<typeof ManifestSchema>;

/** What a writer's caller supplies; the writer fills in format, bundleId and files. */
export type ManifestFields = Omit<
  z.input<typeof ManifestSchema>,
  'format' | 'bundleId' | 'files' | 'toolVersion'
> & {
  /** Defaults to this firedrill's version. */
  toolVersion?: string;
};

/** One line per zod issue: `dotted.path: message`. */
export function formatIssues(error: Pick<z.ZodError, 'issues'>): string[] {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
}
