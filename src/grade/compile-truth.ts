import type { GroundTruth } from '../bundle/ground-truth.js';
import { matchSet, tryParseEntityId, type EntityId } from '../entities/index.js';

/** A ground truth prepared for scoring many answers: built once, read-only afterwards. */
export interface CompiledTruth {
  /** Root-cause ids in truth order, canonical when parseable (as written otherwise). */
  readonly rootCauseIds: readonly EntityId[];
  /**
   * Canonical id → indexes of the root causes whose alias set contains it, in truth order. Usually one;
   * more when two root causes share an alias (e.g. two faulted Deployments behind one Service).
   */
  readonly index: ReadonlyMap<EntityId, readonly number[]>;
  /** Problems with the truth itself (an id no answer can ever match). */
  readonly warnings: readonly string[];
}

export function compileTruth(truth: GroundTruth): CompiledTruth {
  const rootCauseIds: EntityId[] = [];
  const index = new Map<EntityId, number[]>();
  const warnings: string[] = [];
  truth.rootCauses.forEach((rc, i) => {
    const own = tryParseEntityId(rc.id);
    rootCauseIds.push(own.ok ? own.id : rc.id.trim());
    if (!own.ok) warnings.push(`ground truth root cause ${i + 1}: ${own.error}`);
    for (const raw of rc.aliases) {
      const p = tryParseEntityId(raw);
      if (!p.ok) warnings.push(`ground truth root cause ${i + 1} alias ignored: ${p.error}`);
    }
    const set = matchSet(rc);
    if (set.size === 0) warnings.push(`ground truth root cause ${i + 1} ("${rc.id}") can never be matched`);
    for (const id of set) {
      const slots = index.get(id);
      if (slots === undefined) index.set(id, [i]);
      else slots.push(i);
    }
  });
  return { rootCauseIds, index, warnings };
}

const compiled = new WeakMap<GroundTruth, CompiledTruth>();

/** compileTruth, memoised on the truth object, so callers holding a GroundTruth pay for it once. */
export function compiledTruthOf(truth: GroundTruth): CompiledTruth {
  let c = compiled.get(truth);
  if (c === undefined) {
    c = compileTruth(truth);
    compiled.set(truth, c);
  }
  return c;
}
