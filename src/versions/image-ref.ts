/** An image reference split into its parts: `registry/repo:tag@sha256:...`. */
export interface ImageRef {
  /** Everything before the tag: registry host (if any) and repository path. */
  name: string;
  tag: string | undefined;
  digest: string | undefined;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/**
 * Parses a Docker image reference. The tag is the part after the last `:` that follows the last `/`,
 * so a registry port (`localhost:5000/x`) is not mistaken for a tag. Returns undefined for text that
 * is not a reference at all.
 */
export function parseImageRef(ref: string): ImageRef | undefined {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  if (!NAME.test(rest)) return undefined;
  return { name: rest, tag, digest };
}

/**
 * Why a reference is not reproducibly pinned, or undefined when it is: it must carry a tag other
 * than `latest` (a digest alone is accepted too, but firedrill always writes the tag for humans).
 */
export function unpinnedReason(ref: string): string | undefined {
  const parsed = parseImageRef(ref);
  if (!parsed) return `"${ref}" is not an image reference`;
  if (parsed.digest) return undefined;
  if (parsed.tag === undefined) return `"${ref}" has no tag (it would pull :latest)`;
  if (parsed.tag === 'latest') return `"${ref}" uses the moving tag :latest`;
  return undefined;
}
