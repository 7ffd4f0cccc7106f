/**
 * Runs the whole shop on this machine under steady load and prints what it costs.
 *
 *   npx tsx bench/shop-load.ts [--rps 20] [--duration 60] [--seed 1]
 *
 * --rps is the target in requests/s (the load generator's LOAD_RPS counts journeys, so it is derived from
 * the mix's mean requests per journey). Prints per-process and total RSS (VmRSS from /proc/<pid>/status,
 * at the end and the peak), CPU seconds used during the measured window, requests/s achieved and p50/p95/p99
 * latency as the load generator saw it. PostgreSQL is a process tree (the postmaster, one backend per pooled
 * connection, its workers): each row counts a process with its descendants, as RSS (shared buffers counted
 * once per process that touched them, as the old single-process figures were) and as PSS (shared pages
 * split between their users: what the machine really gives). Target (issue #20): the whole shop under
 * 1.5 GiB at 20 requests/s.
 */
import { readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { findMainJs, launchShop } from '../apps/shop/src/dev/launch-shop.js';
import { startOtlpReceiver } from '../apps/shop/src/dev/otlp-receiver.js';
import { DEFAULT_MIX, meanRequestsPerJourney } from '../apps/shop/src/loadgen/plan.js';
import type { StatsSnapshot } from '../apps/shop/src/loadgen/latency-stats.js';
import { ensureShopBuilt } from '../apps/shop/src/dev/ensure-built.js';
import { positiveArg } from './support/positive-arg.js';
import { pssOf, procKiB } from './support/proc-memory.js';

const targetRps = positiveArg('rps', 20);
const durationS = positiveArg('duration', 60);
const seed = positiveArg('seed', 1);
const WARMUP_S = 5;
const BUDGET = 1.5 * 1024 ** 3;

const clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function statFields(pid: number): string[] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name: ppid is the 2nd, utime the 12th, stime the 13th.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return [];
  }
}

/** `pid` and every live descendant (a PostgreSQL postmaster's backends). */
function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const ppid = Number(statFields(Number(e))[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid)!.push(Number(e));
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

const rssBytes = (pid: number): number =>
  tree(pid).reduce((n, p) => n + procKiB(`/proc/${p}/status`, 'VmRSS'), 0);
const pssBytes = (pid: number): number => tree(pid).reduce((n, p) => n + pssOf(p), 0);

function cpuSeconds(pid: number): number {
  return tree(pid).reduce((n, p) => {
    const f = statFields(p);
    return f.length > 12 ? n + (Number(f[11]) + Number(f[12])) / clkTck : n;
  }, 0);
}

const mib = (b: number) => (b / 1048576).toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const root = resolve(dirname(findMainJs()), '..', '..', '..', '..');
  const mainJs = ensureShopBuilt(root);
  const rx = await startOtlpReceiver(20_000);
  const shop = await launchShop({ mainJs, otlpEndpoint: rx.endpoint, flagsPollMs: 2000 });
  let failed = false;
  try {
    await shop.waitReady(60_000);
    const journeysPerSecond = targetRps / meanRequestsPerJourney(DEFAULT_MIX);
    const load = await shop.startLoad({ rps: Math.round(journeysPerSecond * 1000) / 1000, seed });
    process.stderr.write(
      `warming up ${WARMUP_S}s, then measuring ${durationS}s at ~${targetRps} requests/s...\n`,
    );
    await sleep(WARMUP_S * 1000);
    await fetch(`${load.url}/stats/reset`, { method: 'POST' });
    const procs = [...shop.processes.entries()];
    const cpu0 = new Map(procs.map(([n, p]) => [n, cpuSeconds(p.pid)]));
    const peak = new Map<string, number>();
    let peakTotal = 0;
    let peakPss = 0;
    const deadline = Date.now() + durationS * 1000;
    while (Date.now() < deadline) {
      await sleep(Math.min(2000, Math.max(0, deadline - Date.now())));
      let total = 0;
      let pss = 0;
      for (const [n, p] of procs) {
        const r = rssBytes(p.pid);
        total += r;
        pss += pssBytes(p.pid);
        peak.set(n, Math.max(peak.get(n) ?? 0, r));
      }
      peakTotal = Math.max(peakTotal, total);
      peakPss = Math.max(peakPss, pss);
    }
    const stats = (await (await fetch(`${load.url}/stats`)).json()) as StatsSnapshot;

    const rows = procs.map(([n, p]) => ({
      process: n,
      pid: p.pid,
      processes: tree(p.pid).length,
      rssMiB: mib(rssBytes(p.pid)),
      pssMiB: mib(pssBytes(p.pid)),
      peakRssMiB: mib(peak.get(n) ?? 0),
      cpuSeconds: (cpuSeconds(p.pid) - (cpu0.get(n) ?? 0)).toFixed(2),
    }));
    const totalRss = procs.reduce((s, [, p]) => s + rssBytes(p.pid), 0);
    const totalPss = procs.reduce((s, [, p]) => s + pssBytes(p.pid), 0);
    const totalCpu = rows.reduce((s, r) => s + Number(r.cpuSeconds), 0);
    const shopOnly = rows.filter((r) => !r.process.startsWith('loadgen'));
    const shopRss = shopOnly.reduce((s, r) => s + Number(r.rssMiB), 0);

    console.log(`\nshop under load: ${durationS}s at a target of ${targetRps} requests/s (seed ${seed})\n`);
    console.table(rows);
    console.log(
      `total RSS (all ${procs.length} processes incl. redis and loadgen): ${mib(totalRss)} MiB, peak ${mib(peakTotal)} MiB`,
    );
    console.log(`total RSS (shop without loadgen): ${shopRss.toFixed(1)} MiB`);
    console.log(`total PSS (all, shared pages split): ${mib(totalPss)} MiB, peak ${mib(peakPss)} MiB`);
    console.log(
      `CPU seconds used in the window: ${totalCpu.toFixed(2)} (${(totalCpu / durationS).toFixed(2)} cores on average)`,
    );
    console.log(
      `requests: ${stats.requests} in ${stats.elapsedSeconds}s = ${stats.requestsPerSecond} requests/s`,
    );
    console.log(`outcomes: ${JSON.stringify(stats.byOutcome)}`);
    console.log(
      `latency ms: p50 ${stats.latencyMs.p50}, p95 ${stats.latencyMs.p95}, p99 ${stats.latencyMs.p99}, max ${stats.latencyMs.max}`,
    );
    console.log(`spans received by the OTLP receiver: ${rx.total}`);
    const ok = peakPss < BUDGET;
    console.log(`target: all processes < 1.5 GiB (PSS): ${ok ? 'met' : 'NOT met'}`);
    failed = !ok;
  } finally {
    await shop.stop();
    await rx.close();
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
