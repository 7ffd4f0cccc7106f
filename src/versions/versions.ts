import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { REPO_ROOT } from '../version.js';
import { unpinnedReason } from './image-ref.js';

/** The one file that pins every image and tool version (see its `$comment`). */
export const VERSIONS_FILE = join(REPO_ROOT, 'versions.json');

const imagePin = z.object({
  image: z.string().refine((s) => unpinnedReason(s) === undefined && !s.includes('@'), {
    message: 'must be repository:tag with a tag other than latest (put a digest in `digest`)',
  }),
  digest: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 lower-case hex digits>')
    .nullable(),
  note: z.string().optional(),
});

const versionsSchema = z.object({
  images: z.object({
    node: imagePin,
    shop: imagePin,
    redis: imagePin,
    postgres: imagePin,
    prometheus: imagePin,
    alertmanager: imagePin,
    kubeStateMetrics: imagePin,
    jaeger: imagePin,
    kindNode: imagePin,
  }),
  tools: z.object({
    kind: z.string().regex(/^v\d+\.\d+\.\d+$/),
    kubernetes: z.string().regex(/^v\d+\.\d+\.\d+$/),
  }),
  local: z.object({
    node: z.string(),
    prometheus: z.string(),
    alertmanager: z.string(),
    redis: z.string(),
    postgres: z.string(),
  }),
});

export type Versions = z.infer<typeof versionsSchema>;
export type ImagePin = Versions['images']['node'];
export type ImageKey = keyof Versions['images'];

/** Reads and checks versions.json; a malformed file names the file and the offending field. */
export function loadVersions(file: string = VERSIONS_FILE): Versions {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InvalidInputError(`${file}: cannot read pinned versions: ${(err as Error).message}`);
  }
  const parsed = versionsSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidInputError(lines.join('\n'));
  }
  return parsed.data;
}

/** The reference to deploy: `image@digest` when a digest is pinned, else `image`. */
export function imageReference(pin: ImagePin): string {
  return pin.digest ? `${pin.image}@${pin.digest}` : pin.image;
}

/** Every deployable reference in versions.json, keyed like `images`. */
export function imageReferences(versions: Versions): Record<ImageKey, string> {
  const out = {} as Record<ImageKey, string>;
  for (const key of Object.keys(versions.images) as ImageKey[])
    out[key] = imageReference(versions.images[key]);
  return out;
}

/** The tag of a pinned image (`20.20.2-bookworm-slim` for `node:20.20.2-bookworm-slim`). */
export function imageTag(pin: ImagePin): string {
  return pin.image.slice(pin.image.lastIndexOf(':') + 1);
}
