import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { openBundle } from '../../src/bundle/bundle-reader.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { REPO_ROOT } from '../../src/version.js';

export const SCENARIO_DIR = join(REPO_ROOT, 'scenarios/shop');

/** Shipped scenarios that declare the substrate in `spec.substrates`, as absolute paths, sorted. */
export function scenariosFor(substrate: string): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .filter((f) => {
      const doc = parse(readFileSync(join(SCENARIO_DIR, f), 'utf8')) as { spec?: { substrates?: string[] } };
      return doc.spec?.substrates?.includes(substrate) ?? false;
    })
    .map((f) => join(SCENARIO_DIR, f));
}

/** What every bundle from a Kubernetes substrate must satisfy; returns one line per failure. */
export async function bundleFailures(bundle: string, substrate: string): Promise<string[]> {
  const failures: string[] = [];
  const v = await verifyBundle(bundle);
  for (const p of [...v.problems, ...v.warnings])
    failures.push(`${bundle}: ${p.kind} ${p.path}: ${p.message}`);
  const h = await openBundle(bundle);
  try {
    const m = h.manifest;
    if (!m.manifested) failures.push(`${bundle}: incident did not manifest`);
    if (m.checks.expectedAlertsFired?.ok !== true) failures.push(`${bundle}: expected alerts did not fire`);
    if (m.substrate !== substrate) failures.push(`${bundle}: substrate ${String(m.substrate)}`);
    for (const f of m.files) {
      // Events may be absent in a quiet window; every other signal must have records.
      if (f.path !== 'snapshot/events.ndjson' && f.records === 0)
        failures.push(`${bundle}: ${f.path} is empty`);
    }
  } finally {
    await h.close();
  }
  return failures;
}
