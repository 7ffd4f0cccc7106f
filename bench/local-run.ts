// Figures for one scenario on the local substrate: bring-up, each phase, the testbed's overhead beyond
// the scenario's own waits, capture time and bundle size.
//   npx tsx bench/local-run.ts [scenario.yaml]
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCatalog } from '../src/faults/catalog.js';
import { silentLogger } from '../src/logging/logger.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { loadScenarioFile } from '../src/scenario/load-scenario.js';
import { LocalSubstrate } from '../src/substrates/local/local-substrate.js';
import { openBundle } from '../src/bundle/bundle-reader.js';

const file = process.argv[2] ?? 'scenarios/shop/payment-latency.yaml';
const scenario = await loadScenarioFile(file);
const out = await mkdtemp(join(tmpdir(), 'fd-bench-'));
const substrate = new LocalSubstrate({ logger: silentLogger() });
const signal = new AbortController().signal;
const progress = { phase: () => undefined };
const t0 = Date.now();
try {
  await substrate.up(signal, progress);
  const upMs = Date.now() - t0;
  const r = await runScenario({
    scenario,
    repeat: 0,
    seed: scenario.spec.seed,
    outDir: out,
    bundleId: 'bench',
    secret: randomBytes(32).toString('hex'),
    substrate,
    registry: defaultCatalog(),
    logger: silentLogger(),
    progress,
    signal,
  });
  const h = await openBundle(r.bundleDir);
  const bytes = h.manifest.files.reduce((a, f) => a + f.bytes, 0);
  await h.close();
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  console.log(`scenario            ${scenario.metadata.id} (manifested: ${r.manifested})`);
  console.log(`bring-up            ${s(upMs)}`);
  for (const [k, v] of Object.entries(r.timings)) console.log(`phase ${k.padEnd(13)} ${s(v)}`);
  console.log(`scenario waits      warmup + time to manifest + the window's tail (drawn per run)`);
  console.log(
    `testbed overhead    ${s(r.overheadMs)} (reset + inject + capture + commit + recover, bring-up excluded)`,
  );
  console.log(`bundle size         ${(bytes / 1e6).toFixed(1)} MB in ${h.manifest.files.length} files`);
} finally {
  await substrate.down();
  await rm(out, { recursive: true, force: true });
}
