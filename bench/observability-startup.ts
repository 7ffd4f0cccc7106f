// Time from spawn to ready for the local substrate's Prometheus, Alertmanager and Redis, and to stop.
// Run: npx tsx bench/observability-startup.ts [rounds]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRegistry } from '../src/process/process-registry.js';
import { AlertmanagerProcess } from '../src/substrates/local/observability/alertmanager-process.js';
import type { ObservabilityService } from '../src/substrates/local/observability/observability-service.js';
import { PrometheusProcess } from '../src/substrates/local/observability/prometheus-process.js';
import { RedisProcess } from '../src/substrates/local/observability/redis-process.js';
import { requireTool } from '../src/tools/find-tool.js';
import { ALERTMANAGER, PROMETHEUS, REDIS_SERVER } from '../src/tools/tool-specs.js';

const rounds = Number(process.argv[2] ?? 3);
const registry = new ProcessRegistry();
const binaries = {
  prometheus: await requireTool(PROMETHEUS),
  alertmanager: await requireTool(ALERTMANAGER),
  redis: await requireTool(REDIS_SERVER),
};
const starters: Record<string, (workDir: string) => Promise<ObservabilityService>> = {
  prometheus: (workDir) =>
    PrometheusProcess.start({ workDir, registry, binary: binaries.prometheus, targets: [] }),
  alertmanager: (workDir) => AlertmanagerProcess.start({ workDir, registry, binary: binaries.alertmanager }),
  redis: (workDir) => RedisProcess.start({ workDir, registry, binary: binaries.redis, password: 'bench' }),
};

for (const [name, start] of Object.entries(starters)) {
  const ready: number[] = [];
  const stop: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const workDir = mkdtempSync(join(tmpdir(), 'fd-bench-'));
    const t0 = performance.now();
    const svc = await start(workDir);
    const t1 = performance.now();
    await svc.stop();
    const t2 = performance.now();
    ready.push(t1 - t0);
    stop.push(t2 - t1);
    rmSync(workDir, { recursive: true, force: true });
  }
  const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ');
  console.log(`${name.padEnd(12)} ready ms: ${fmt(ready)}   stop ms: ${fmt(stop)}`);
}
