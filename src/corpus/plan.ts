import { InvalidInputError } from '../errors/invalid-input-error.js';
import { bundleIdFor } from '../runner/bundle-id.js';
import type { Scenario } from '../scenario/scenario.js';

/** `--shard i/n`: this job runs shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

export interface PlannedRun {
  scenario: Scenario;
  scenarioId: string;
  repeat: number;
  seed: number;
  bundleId: string;
  /** The shard (1-based) this run belongs to. */
  shard: number;
  /** How many shards the plan was split into. */
  shards: number;
}

export interface PlanOptions {
  repeats: number;
  /** Keep only these scenario ids (unknown ids are an error). */
  only?: readonly string[];
  shard?: Shard;
  /** Replaces every scenario's own seed. */
  seed?: number;
  /** The corpus secret the bundle ids are keyed with; without it (`--plan` before a corpus exists) ids are null. */
  secret?: string;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count)
    throw new InvalidInputError(`--shard must be i/n with 1 <= i <= n (e.g. 2/3), got "${text}"`);
  return { index, count };
}

/**
 * The runs of a corpus, in a stable order: by bundle id, which the corpus secret keys, so the order is
 * the secret's shuffle of the runs (without a secret, as `--plan` before a corpus: scenarios by
 * `metadata.id`, each with repeats 0..n−1). A substrate carries state from run to run (its age, its
 * databases' rows), and in a public order that state would tell which scenario a bundle came from.
 * Sharding is round-robin over that list (run k goes to shard k mod n + 1), so n jobs given the same
 * scenarios, repeats, --only and secret cover every run exactly once, and the shards stay within one run
 * of each other in size. Returns only the runs of `opts.shard` when given.
 */
export function planCorpus(scenarios: readonly Scenario[], opts: PlanOptions): PlannedRun[] {
  if (!Number.isInteger(opts.repeats) || opts.repeats < 1)
    throw new InvalidInputError(`--repeats must be an integer >= 1, got ${opts.repeats}`);
  const byId = new Map<string, Scenario>();
  for (const s of scenarios) {
    const other = byId.get(s.metadata.id);
    if (other)
      throw new InvalidInputError(
        `scenario id ${s.metadata.id} is used by both ${other.sourceFile} and ${s.sourceFile}; ids must be unique in a corpus`,
      );
    byId.set(s.metadata.id, s);
  }
  let ids = [...byId.keys()].sort();
  if (opts.only && opts.only.length > 0) {
    const unknown = opts.only.filter((id) => !byId.has(id));
    if (unknown.length > 0)
      throw new InvalidInputError(
        `--only names unknown scenario id${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${ids.join(', ')}`,
      );
    const keep = new Set(opts.only);
    ids = ids.filter((id) => keep.has(id));
  }
  const shards = opts.shard?.count ?? 1;
  const all: PlannedRun[] = [];
  for (const id of ids) {
    const scenario = byId.get(id) as Scenario;
    const seed = opts.seed ?? scenario.spec.seed;
    for (let repeat = 0; repeat < opts.repeats; repeat++)
      all.push({
        scenario,
        scenarioId: id,
        repeat,
        seed,
        bundleId: opts.secret !== undefined ? bundleIdFor(opts.secret, id, seed, repeat) : '',
        shard: 0,
        shards,
      });
  }
  if (opts.secret !== undefined) all.sort((a, b) => a.bundleId.localeCompare(b.bundleId));
  all.forEach((r, k) => (r.shard = (k % shards) + 1));
  return opts.shard ? all.filter((r) => r.shard === opts.shard?.index) : all;
}

/** One `--plan` line: what would run, without the scenario body. */
export function planLine(r: PlannedRun): string {
  return JSON.stringify({
    scenarioId: r.scenarioId,
    repeat: r.repeat,
    seed: r.seed,
    bundleId: r.bundleId || null,
    shard: r.shard,
    shards: r.shards,
  });
}
