/**
 * Checks ShopCacheHitRatioLow against the real shop and a real Prometheus running the real rule files:
 * steady load for a while, then catalog's cache bypassed (the `catalog.cache` setting) for a while, then
 * back to normal. Prints a timeline every 5 s (catalog hit ratio, worst p95 of any service, frontend rate
 * against its 10-minute average, alerts pending or firing) and a summary: whether the alert fired during
 * the bypass, when it resolved, and whether anything fired at baseline. The first minute is warm-up: until the
 * first scrapes and a full rate window, ShopFrontendTrafficDrop's absent() branch may show as pending.
 *
 *   npx tsx bench/cache-alert.ts [--rps 10] [--seed 1] [--baseline 240] [--bypass 60] [--after 150]
 *
 * --rps is in journeys/s (LOAD_RPS); the load generator runs with its default LOAD_VARIATION.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ensureShopBuilt } from '../apps/shop/src/dev/ensure-built.js';
import { findMainJs, launchShop, SHOP_SERVICES } from '../apps/shop/src/dev/launch-shop.js';
import { loadRuleFiles } from '../src/manifests/rule-files.js';
import { PrometheusProcess } from '../src/substrates/local/observability/prometheus-process.js';
import { positiveArg } from './support/positive-arg.js';

const rps = positiveArg('rps', 10);
const seed = positiveArg('seed', 1);
const baselineS = positiveArg('baseline', 240);
const bypassS = positiveArg('bypass', 60);
const afterS = positiveArg('after', 150);

const HIT_RATIO = `1 - (
  sum by (service) (rate(cache_requests_total{job="shop", result!="hit"}[1m]))
/ sum by (service) (rate(cache_requests_total{job="shop"}[1m])))`;
const P95 = `max(histogram_quantile(0.95,
  sum by (namespace, service, le) (rate(http_server_request_duration_seconds_bucket{job="shop"}[1m]))))`;
const P95_BY_SERVICE = `histogram_quantile(0.95,
  sum by (namespace, service, le) (rate(http_server_request_duration_seconds_bucket{job="shop"}[1m])))`;
const DROP = `namespace_service:http_server_requests:rate1m{service="frontend"}
  / avg_over_time(namespace_service:http_server_requests:rate1m{service="frontend"}[10m])`;
const FRONT_RATE = `namespace_service:http_server_requests:rate1m{service="frontend"}`;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WARMUP_S = 60;

async function main(): Promise<void> {
  const root = resolve(dirname(findMainJs()), '..', '..', '..', '..');
  const mainJs = ensureShopBuilt(root);
  const shop = await launchShop({ mainJs, flagsPollMs: 2000 });
  const workDir = mkdtempSync(join(tmpdir(), 'cache-alert-'));
  let prom: PrometheusProcess | undefined;
  try {
    await shop.waitReady(60_000);
    prom = await PrometheusProcess.start({
      workDir,
      ruleFiles: await loadRuleFiles(),
      targets: SHOP_SERVICES.filter((s) => s !== 'flags').map((s) => ({
        job: 'shop',
        address: `127.0.0.1:${shop.ports[s]}`,
        labels: { namespace: 'shop', pod: `${s}-0`, app: s },
      })),
    });
    const base = prom.url;
    const query = async (q: string): Promise<Sample[]> => {
      const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as { data?: { result?: Sample[] } };
      return body.data?.result ?? [];
    };
    const one = async (q: string): Promise<number | undefined> => {
      const r = await query(q);
      return r[0] ? Number(r[0].value[1]) : undefined;
    };
    const alerts = async (): Promise<string[]> =>
      (await query('ALERTS')).map(
        (s) => `${s.metric.alertname}{${s.metric.service ?? s.metric.pod ?? ''}}:${s.metric.alertstate}`,
      );

    await shop.startLoad({ rps, seed });
    process.stderr.write(
      `load ${rps} journeys/s (seed ${seed}); baseline ${baselineS}s, bypass ${bypassS}s, after ${afterS}s\n`,
    );
    const t0 = Date.now();
    const bypassAt = baselineS;
    const restoreAt = baselineS + bypassS;
    let phase: 'baseline' | 'bypass' | 'after' = 'baseline';
    const flags = shop.url('flags');
    const seen: Array<{ t: number; phase: string; alerts: string[] }> = [];
    let minBaselineRatio = Infinity;
    let maxP95Bypass = 0;
    const p95ByServiceBypass = new Map<string, number>();
    let minDrop = Infinity;
    console.log('t_s\tphase\thit_ratio\tmax_p95_ms\tfrontend_rps\tdrop_ratio\talerts');
    for (;;) {
      const t = (Date.now() - t0) / 1000;
      if (phase === 'baseline' && t >= bypassAt) {
        phase = 'bypass';
        await fetch(`${flags}/flags/catalog.cache`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'x-actor': 'bench' },
          body: JSON.stringify({ enabled: false }),
        });
      } else if (phase === 'bypass' && t >= restoreAt) {
        phase = 'after';
        await fetch(`${flags}/flags/catalog.cache`, { method: 'DELETE', headers: { 'x-actor': 'bench' } });
      }
      if (t >= restoreAt + afterS) break;
      const [ratio, p95, drop, front, active] = await Promise.all([
        one(HIT_RATIO),
        one(P95),
        one(DROP),
        one(FRONT_RATE),
        alerts(),
      ]);
      if (phase === 'baseline' && t > 90 && ratio !== undefined)
        minBaselineRatio = Math.min(minBaselineRatio, ratio);
      if (phase !== 'baseline') {
        maxP95Bypass = Math.max(maxP95Bypass, p95 ?? 0);
        for (const s of await query(P95_BY_SERVICE)) {
          const v = Number(s.value[1]);
          if (Number.isFinite(v))
            p95ByServiceBypass.set(
              s.metric.service!,
              Math.max(p95ByServiceBypass.get(s.metric.service!) ?? 0, v),
            );
        }
      }
      if (t > 120 && drop !== undefined) minDrop = Math.min(minDrop, drop);
      seen.push({ t: Math.round(t), phase, alerts: active });
      const f = (v: number | undefined, d = 3) =>
        v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d);
      console.log(
        `${Math.round(t)}\t${phase}\t${f(ratio)}\t${f(p95 === undefined ? undefined : p95 * 1000, 0)}\t${f(front, 1)}\t${f(drop)}\t${active.join(' ') || '-'}`,
      );
      await sleep(5000 - ((Date.now() - t0) % 5000));
    }
    const firing = seen.filter((s) => s.alerts.includes('ShopCacheHitRatioLow{catalog}:firing'));
    const measured = seen.filter((s) => s.t >= WARMUP_S);
    const warmup = new Set(seen.filter((s) => s.t < WARMUP_S).flatMap((s) => s.alerts));
    const others = new Set(
      measured.flatMap((s) => s.alerts).filter((a) => !a.startsWith('ShopCacheHitRatioLow')),
    );
    const baselineAlerts = new Set(measured.filter((s) => s.phase === 'baseline').flatMap((s) => s.alerts));
    console.log('\nsummary');
    console.log(`  lowest catalog hit ratio at baseline (after 90 s): ${minBaselineRatio.toFixed(3)}`);
    console.log(`  alerts during the ${WARMUP_S}s warm-up: ${[...warmup].join(', ') || 'none'}`);
    console.log(`  alerts seen at baseline after the warm-up: ${[...baselineAlerts].join(', ') || 'none'}`);
    console.log(
      firing.length > 0
        ? `  ShopCacheHitRatioLow firing from ${firing[0]!.t - bypassAt}s to ${firing.at(-1)!.t - bypassAt}s after the bypass started (bypass ${bypassS}s)`
        : '  ShopCacheHitRatioLow never fired',
    );
    const last = seen.at(-1)!;
    console.log(
      `  at the end (${last.t - restoreAt}s after restoring): ${last.alerts.join(', ') || 'no alerts'}`,
    );
    console.log(`  other alerts after the warm-up: ${[...others].join(', ') || 'none'}`);
    console.log(`  highest p95 during and after the bypass: ${(maxP95Bypass * 1000).toFixed(0)} ms`);
    console.log(
      `  by service: ${[...p95ByServiceBypass].map(([s, v]) => `${s} ${(v * 1000).toFixed(0)} ms`).join(', ')}`,
    );
    console.log(`  lowest frontend rate1m / 10-minute average (after 120 s): ${minDrop.toFixed(3)}`);
  } finally {
    await prom?.stop().catch(() => undefined);
    await shop.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
