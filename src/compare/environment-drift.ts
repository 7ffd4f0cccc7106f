import { workloadOfPod } from '../entities/pod-workload.js';

/** One version or image that differs between what a bundle recorded and another run (or this machine). */
export interface DriftItem {
  /** `firedrill`, `node`, `kubernetes`, `tool prometheus`, `image shop/cart/cart`. */
  what: string;
  recorded: string;
  current: string;
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : v === undefined || v === null ? undefined : JSON.stringify(v);

/**
 * The versions of a manifest's `environment` (local and Kubernetes substrates write different shapes),
 * flattened to `what → version`. Images are keyed by workload, not pod: pod names differ per run; on
 * Kubernetes an image carries the digest the node resolved (`image@imageID`).
 */
export function environmentVersions(
  env: Record<string, unknown>,
  opts: { digests?: boolean } = {},
): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of ['firedrill', 'node', 'kubernetes']) {
    const v = text(env[key]);
    if (v !== undefined) out.set(key, v);
  }
  const tools = env.tools;
  if (tools && typeof tools === 'object')
    for (const [name, t] of Object.entries(tools as Record<string, unknown>)) {
      const v = t && typeof t === 'object' ? (t as { version?: unknown }).version : t;
      const s = text(v);
      if (s !== undefined) out.set(`tool ${name}`, s);
    }
  const images = env.images;
  if (images && typeof images === 'object')
    for (const [key, img] of Object.entries(images as Record<string, unknown>)) {
      const [ns, owner, container] = key.split('/');
      const where = container === undefined ? key : `${ns}/${workloadOfPod(owner)}/${container}`;
      let v: string | undefined;
      if (typeof img === 'string') v = img;
      else if (img && typeof img === 'object') {
        const { image, imageID } = img as { image?: unknown; imageID?: unknown };
        const digest = opts.digests !== false && typeof imageID === 'string' && imageID !== '';
        v = typeof image === 'string' ? (digest ? `${image}@${imageID}` : image) : undefined;
      }
      if (v !== undefined) out.set(`image ${where}`, v);
    }
  return out;
}

/**
 * What differs between two environments, for the versions both know. `digests: false` compares image
 * names only: a machine checked before a run knows no digests yet. Sorted by `what`.
 */
export function environmentDrift(
  recorded: Record<string, unknown>,
  current: Record<string, unknown>,
  opts: { digests?: boolean } = {},
): DriftItem[] {
  const a = environmentVersions(recorded, opts);
  const b = environmentVersions(current, opts);
  const out: DriftItem[] = [];
  for (const [what, r] of a) {
    const c = b.get(what);
    if (c !== undefined && c !== r) out.push({ what, recorded: r, current: c });
  }
  return out.sort((x, y) => x.what.localeCompare(y.what));
}

export function formatDrift(d: DriftItem): string {
  return `${d.what}: ${d.recorded} recorded, ${d.current} now`;
}
