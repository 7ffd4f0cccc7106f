import type { FaultSession } from '../fault-session.js';
import type { RunContext } from '../run-context.js';

/**
 * Faults at their offsets from `t0` (the end of the warmup), in offset order; each is held for its
 * duration or until recovery.
 */
export async function injectPhase(ctx: RunContext, faults: FaultSession, t0: number): Promise<void> {
  const spec = ctx.req.scenario.spec;
  ctx.req.progress.phase('inject', spec.faults.map((f) => `${f.type} → ${f.target}`).join(', '));
  const ordered = [...spec.faults].sort((a, b) => a.atMs - b.atMs);
  for (const f of ordered) {
    const wait = t0 + f.atMs - ctx.now();
    if (wait > 0) await ctx.sleep(wait);
    ctx.checkAbort();
    await faults.inject(f, ctx.now());
  }
  ctx.phaseDone('inject');
}
