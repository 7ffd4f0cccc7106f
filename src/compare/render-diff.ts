import type { BundleDiff, SetDiff } from './bundle-diff.js';
import { formatDrift } from './environment-drift.js';

const secs = (ms: number | null): string => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);
const num = (n: number | null | undefined, digits = 1): string =>
  n === null || n === undefined ? '–' : n.toFixed(digits);
const pct = (n: number | null | undefined): string =>
  n === null || n === undefined ? '–' : `${(n * 100).toFixed(1)} %`;

/** At most `max` lines of a list, then how many were left out. */
function listed(prefix: string, items: readonly string[], max = 20): string[] {
  const out = items.slice(0, max).map((x) => `  ${prefix} ${x}`);
  if (items.length > max) out.push(`  ${prefix} … and ${items.length - max} more`);
  return out;
}

function setLine(name: string, d: SetDiff): string {
  return `${name}: ${d.common} in both, ${d.added.length} added, ${d.missing.length} missing`;
}

/** The verdict line both `bundle diff` and `reproduce` print. */
export function verdictLine(d: BundleDiff): string {
  return `${d.verdict}: ${d.incident.detail}`;
}

/**
 * `bundle diff` for people: the verdict first, then each comparison, with `+` for what only B has, `-`
 * for what only A has and `!` on numbers that moved beyond the notable thresholds.
 */
export function renderDiff(d: BundleDiff): string {
  const head = (tag: string, x: BundleDiff['a']): string =>
    `${tag}  ${x.bundleId}  ${x.scenarioId} seed ${x.seed} repeat ${x.repeat} on ${x.substrate}  (${x.source})`;
  const out: string[] = [head('A', d.a), head('B', d.b), '', verdictLine(d), ''];

  const bg = d.backgroundAlerts.length
    ? `; background alerts left out: ${d.backgroundAlerts.join(', ')}`
    : '';
  out.push(`firing alerts (by workload${bg}):`);
  const common = d.incident.a.filter((k) => d.incident.b.includes(k));
  // An alert one bundle fired and the other showed only at an edge (pending at its cut, or since before
  // its first fault) counts as shared; it is listed as such, with the bundle that fired it.
  const atEdge = d.incident.alertsSharedAtEdge.map(
    (k) => `${k} (fired in ${d.incident.a.includes(k) ? 'A' : 'B'}; at an edge of the other)`,
  );
  out.push(
    ...listed('=', common),
    ...listed('~', atEdge),
    ...listed('+', d.incident.alertsOnlyB),
    ...listed('-', d.incident.alertsOnlyA),
  );
  if (d.incident.a.length + d.incident.b.length === 0) out.push('  (none fired in either)');
  if (d.manifested.a !== d.manifested.b)
    out.push(`! manifested: ${d.manifested.a ? 'yes' : 'no'} → ${d.manifested.b ? 'yes' : 'no'}`);
  out.push(
    `${d.timeToManifest.notable ? '!' : ' '} time to manifest: ${secs(d.timeToManifest.aMs)} → ${secs(d.timeToManifest.bMs)}`,
    '',
  );

  out.push('services during the incident (A → B):');
  const rows = d.services.map((s) => [
    s.notable.length ? `! ${s.service}` : `  ${s.service}`,
    `${num(s.a?.rate)} → ${num(s.b?.rate)} req/s`,
    `${pct(s.a?.errorRatio)} → ${pct(s.b?.errorRatio)} errors`,
    `p95 ${num(s.a?.p95Ms, 0)} → ${num(s.b?.p95Ms, 0)} ms`,
    s.notable.length ? `(${s.notable.join(', ')})` : '',
  ]);
  const widths = rows.reduce((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), [] as number[]);
  for (const r of rows)
    out.push(
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
  if (rows.length === 0) out.push('  (no request metrics in either)');
  out.push('');

  out.push(setLine('event reasons at or after the injection', d.events));
  for (const k of d.events.added) out.push(`  + ${k} (${d.events.counts[k]?.[1] ?? 0}×)`);
  for (const k of d.events.missing) out.push(`  - ${k} (${d.events.counts[k]?.[0] ?? 0}×)`);
  out.push('');

  out.push(setLine('topology entities', d.topology.entities));
  out.push(...listed('+', d.topology.entities.added), ...listed('-', d.topology.entities.missing));
  out.push(setLine('topology edges', d.topology.edges));
  out.push(...listed('+', d.topology.edges.added), ...listed('-', d.topology.edges.missing));
  out.push('');

  const same = (x: string[], y: string[]): boolean => x.join('\n') === y.join('\n');
  out.push(
    same(d.rootCauses.a, d.rootCauses.b)
      ? `root causes: ${d.rootCauses.a.join(', ')} (same)`
      : `! root causes: ${d.rootCauses.a.join(', ')} → ${d.rootCauses.b.join(', ')}`,
  );
  out.push(
    same(d.faults.a, d.faults.b)
      ? `faults: ${d.faults.a.join(', ')} (same)`
      : `! faults: ${d.faults.a.join(', ')} → ${d.faults.b.join(', ')}`,
  );
  if (d.environment.length === 0) out.push('environment: same versions and images');
  else {
    out.push('! environment differs:');
    for (const e of d.environment) out.push(`  ${formatDrift(e)}`);
  }
  return `${out.join('\n')}\n`;
}
