import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyntheticShop } from '../../../agents/reference/testing/synthetic-shop.js';
import { BundleWriter } from '../../bundle/bundle-writer.js';
import type { GroundTruth } from '../../bundle/ground-truth.js';
import { TRUTH_FILE, TruthFile } from '../../bundle/layout.js';

/**
 * A small corpus with real evidence for tests of `firedrill eval`: each bundle's snapshot is a
 * synthetic shop (the reference agent's test world) with one fault, its truth the faulty Deployment.
 */

export interface ShopBundleSpec {
  scenarioId: string;
  repeat?: number;
  /** The faulty Deployment: `shop/Deployment/<service>`. */
  service: string;
  fault: (shop: SyntheticShop, service: string) => void;
  tags?: string[];
  difficulty?: string;
}

const EVIDENCE: Record<string, string> = {
  'alerts.json': 'alerts active at the end of the window, and every pending/firing interval in it',
  'events.ndjson': 'Kubernetes events',
  'logs.ndjson': 'container logs, one line per record',
  'traces.ndjson': 'distributed-tracing spans, one span per line',
  'metrics.ndjson': 'Prometheus series over the window, one series per line',
  'objects.ndjson': 'the Kubernetes objects at the end of the window',
  'object-changes.ndjson': 'every change to those objects during the window',
  'topology.json': 'entities and how they own, select, use and call each other',
};

/** task.md as capture writes it (src/capture/task-text.ts): one evidence line per file. */
function taskFor(files: readonly string[]): string {
  return `# Incident investigation

Alerts are firing for the application running in namespace \`shop\`.

Find the root cause: the Kubernetes entities whose change or failure caused the alerts.

## Evidence

${Object.keys(EVIDENCE)
  .filter((f) => files.includes(f))
  .map((f) => `- \`${f}\`: ${EVIDENCE[f]}`)
  .join('\n')}

## Answer

Write JSON with the entities ranked, most likely first.
`;
}

export async function writeShopBundle(
  bundlesDir: string,
  bundleId: string,
  spec: ShopBundleSpec,
): Promise<string> {
  const shop = new SyntheticShop();
  spec.fault(shop, spec.service);
  const tmp = await mkdtemp(join(tmpdir(), 'shop-snapshot-'));
  try {
    await shop.writeTo(tmp);
    const files = (await readdir(tmp)).filter((f) => f !== 'task.md').sort();
    const root = `shop/Deployment/${spec.service}`;
    const truth: GroundTruth = {
      format: 1,
      scenarioId: spec.scenarioId,
      rootCauses: [{ id: root, aliases: [`shop/Service/${spec.service}`] }],
      faults: [],
      injectedAt: shop.iso(120),
      manifestedAt: shop.iso(150),
      expectedAlerts: [],
      firedAlerts: [],
    };
    await mkdir(bundlesDir, { recursive: true });
    const w = await BundleWriter.create(bundlesDir, bundleId);
    try {
      await w.writeText('snapshot/task.md', taskFor(files));
      for (const f of files) await w.writeText(`snapshot/${f}`, await readFile(join(tmp, f), 'utf8'));
      await w.writeJson(TRUTH_FILE, truth);
      await w.writeText(
        TruthFile.scenario,
        `apiVersion: firedrill/v1\nkind: Scenario\nmetadata:\n  id: ${spec.scenarioId}\n` +
          `${spec.tags ? `  tags: [${spec.tags.join(', ')}]\n` : ''}${spec.difficulty ? `  difficulty: ${spec.difficulty}\n` : ''}`,
      );
      return await w.commit({
        scenarioId: spec.scenarioId,
        scenarioHash: `hash-${spec.scenarioId}`,
        seed: 1,
        repeat: spec.repeat ?? 0,
        substrate: 'local',
        times: {
          windowStart: shop.iso(0),
          windowEnd: shop.iso(shop.duration),
          injectedAt: truth.injectedAt,
          manifestedAt: truth.manifestedAt,
          capturedAt: shop.iso(shop.duration + 2),
        },
        manifested: true,
        environment: {},
        checks: {},
      });
    } finally {
      await w.abort();
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export interface SmallCorpusBundle {
  bundleId: string;
  scenarioId: string;
  rootCause: string;
}

/**
 * `<root>/bundles/` with two tasks (shipping failing requests, payment slowed down), `bundlesPerTask`
 * bundles each, and `<root>/corpus/index.json` giving the first task a difficulty (the second has
 * its own in truth/scenario.yaml, where the index says nothing).
 */
export async function writeSmallCorpus(root: string, bundlesPerTask = 1): Promise<SmallCorpusBundle[]> {
  const specs: ShopBundleSpec[] = [
    {
      scenarioId: 'shipping-errors',
      service: 'shipping',
      fault: (shop, s) => shop.failRequests(s, 120, 0.6, 500),
      tags: ['errors', 'shipping'],
    },
    {
      scenarioId: 'payment-slow',
      service: 'payment',
      fault: (shop, s) => shop.slowDown(s, 120, 1500),
      tags: ['latency'],
      difficulty: 'medium',
    },
  ];
  const out: SmallCorpusBundle[] = [];
  let n = 0;
  for (const spec of specs)
    for (let r = 0; r < bundlesPerTask; r++) {
      // Opaque, like the corpus's own ids: nothing in an id names its scenario.
      const bundleId = `incident-${(0xa11ce0 + n++).toString(16).padStart(12, '0')}`;
      await writeShopBundle(join(root, 'bundles'), bundleId, { ...spec, repeat: r });
      out.push({ bundleId, scenarioId: spec.scenarioId, rootCause: `shop/Deployment/${spec.service}` });
    }
  await mkdir(join(root, 'corpus'), { recursive: true });
  await writeFile(
    join(root, 'corpus', 'index.json'),
    `${JSON.stringify({
      format: 1,
      rows: out
        .filter((b) => b.scenarioId === 'shipping-errors')
        .map((b) => ({ bundleId: b.bundleId, scenarioId: b.scenarioId, difficulty: 'easy' })),
    })}\n`,
  );
  return out;
}
