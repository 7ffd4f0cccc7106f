// What background activity costs on the local substrate: the same scenario run with `background:
// quiet` and with `typical`, alternating, in one substrate session. Prints CPU seconds per second of run
// and the process tree's memory (sum of RSS and of PSS, mean and peak) for each, and the difference.
//   npx tsx bench/background-cost.ts [scenario.yaml] [--pairs 2]
// Target (issue: realism): under 10 % more CPU and under 100 MiB more memory with `typical`.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCatalog } from '../src/faults/catalog.js';
import { silentLogger } from '../src/logging/logger.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { loadScenarioFile } from '../src/scenario/load-scenario.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { LocalSubstrate } from '../src/substrates/local/local-substrate.js';
import { pssOf } from './support/proc-memory.js';

const file = process.argv.find((a) => a.endsWith('.yaml')) ?? 'scenarios/shop/payment-latency.yaml';
const pairsAt = process.argv.indexOf('--pairs');
const pairs = pairsAt > 0 ? Number(process.argv[pairsAt + 1]) : 2;
const clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

interface ProcStat {
  ppid: number;
  /** utime + stime + cutime + cstime, seconds: the process and the children it reaped. */
  cpu: number;
  rss: number;
}

async function procStat(pid: number): Promise<ProcStat | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14) ... rss pages(21)
    return {
      ppid: Number(f[1]),
      cpu: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / clkTck,
      rss: Number(f[21]) * 4096,
    };
  } catch {
    return undefined;
  }
}

/** This process and every live descendant: their CPU (reaped children included) and summed RSS. */
async function tree(): Promise<{ cpu: number; rss: number; pss: number }> {
  const stats = new Map<number, ProcStat>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = await procStat(Number(name));
    if (s) stats.set(Number(name), s);
  }
  const inTree = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, s] of stats)
      if (!inTree.has(pid) && inTree.has(s.ppid)) {
        inTree.add(pid);
        grew = true;
      }
  }
  let cpu = 0;
  let rss = 0;
  let shared = 0;
  for (const pid of inTree) {
    const s = stats.get(pid);
    if (s) {
      cpu += s.cpu;
      rss += s.rss;
      shared += pssOf(pid);
    }
  }
  return { cpu, rss, pss: shared };
}

interface Sample {
  profile: string;
  seconds: number;
  cpuPerSecond: number;
  meanRss: number;
  peakRss: number;
  meanPss: number;
  peakPss: number;
  actions: number;
}

async function measure(
  substrate: LocalSubstrate,
  scenario: Scenario,
  profile: 'quiet' | 'typical',
  repeat: number,
): Promise<Sample> {
  const s: Scenario = { ...scenario, spec: { ...scenario.spec, background: { profile, counts: {} } } };
  const out = await mkdtemp(join(tmpdir(), 'fd-bg-bench-'));
  const rss: number[] = [];
  const psss: number[] = [];
  let stop = false;
  const sampler = (async () => {
    while (!stop) {
      const t = await tree();
      rss.push(t.rss);
      psss.push(t.pss);
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
  const before = await tree();
  const t0 = Date.now();
  try {
    const r = await runScenario({
      scenario: s,
      repeat,
      seed: scenario.spec.seed,
      outDir: out,
      bundleId: `bench-${profile}-${repeat}`,
      secret: randomBytes(32).toString('hex'),
      substrate,
      registry: defaultCatalog(),
      logger: silentLogger(),
      progress: { phase: () => undefined },
      signal: new AbortController().signal,
    });
    const after = await tree();
    const seconds = (Date.now() - t0) / 1000;
    const bg = JSON.parse(await readFile(join(r.bundleDir, 'truth/background.json'), 'utf8')) as {
      actions: unknown[];
    };
    return {
      profile,
      seconds,
      cpuPerSecond: (after.cpu - before.cpu) / seconds,
      meanRss: rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length),
      peakRss: Math.max(...rss),
      meanPss: psss.reduce((a, b) => a + b, 0) / Math.max(1, psss.length),
      peakPss: Math.max(...psss),
      actions: bg.actions.length,
    };
  } finally {
    stop = true;
    await sampler;
    await rm(out, { recursive: true, force: true });
  }
}

const scenario = await loadScenarioFile(file);
const substrate = new LocalSubstrate({ logger: silentLogger() });
const mib = (b: number): string => (b / 1048576).toFixed(0);
try {
  await substrate.up(new AbortController().signal, { phase: () => undefined });
  const samples: Sample[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate the order so a drift of the machine does not favour one profile.
    const order: Array<'quiet' | 'typical'> = i % 2 === 0 ? ['quiet', 'typical'] : ['typical', 'quiet'];
    for (const p of order) {
      const x = await measure(substrate, scenario, p, i);
      samples.push(x);
      console.log(
        `${p.padEnd(8)} run ${i}: ${x.seconds.toFixed(0)} s, ${x.cpuPerSecond.toFixed(3)} CPU s/s, RSS mean ${mib(x.meanRss)} MiB peak ${mib(x.peakRss)} MiB, PSS mean ${mib(x.meanPss)} MiB peak ${mib(x.peakPss)} MiB, ${x.actions} background actions`,
      );
    }
  }
  const avg = (p: string, f: (x: Sample) => number): number => {
    const xs = samples.filter((x) => x.profile === p).map(f);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const cpuQ = avg('quiet', (x) => x.cpuPerSecond);
  const cpuT = avg('typical', (x) => x.cpuPerSecond);
  console.log(
    `typical vs quiet: CPU ${(((cpuT - cpuQ) / cpuQ) * 100).toFixed(1)} %, mean RSS ${mib(avg('typical', (x) => x.meanRss) - avg('quiet', (x) => x.meanRss))} MiB, peak RSS ${mib(avg('typical', (x) => x.peakRss) - avg('quiet', (x) => x.peakRss))} MiB, mean PSS ${mib(avg('typical', (x) => x.meanPss) - avg('quiet', (x) => x.meanPss))} MiB, peak PSS ${mib(avg('typical', (x) => x.peakPss) - avg('quiet', (x) => x.peakPss))} MiB (over ${pairs} pair(s) of ${scenario.metadata.id})`,
  );
} finally {
  await substrate.down();
}
