import type { RunContext } from '../run-context.js';

/** Steady state under load before the first fault. Returns when the warmup started. */
export async function warmUpPhase(ctx: RunContext): Promise<number> {
  const started = ctx.now();
  const { warmupMs } = ctx.plan;
  ctx.req.progress.phase('warmup', `${Math.round(warmupMs / 1000)}s under load`);
  await ctx.sleep(warmupMs);
  ctx.phaseDone('warmup');
  return started;
}
