import type { AgentResult } from './agent-result.js';
import { clock } from './time.js';

const REASONS_SHOWN = 6;

/** Human-readable ranking with the evidence behind each entity (`--explain`). */
export function explainText(r: AgentResult): string {
  const lines: string[] = [];
  lines.push(
    `Root-cause ranking (${r.ranking.onset === null ? 'no clear onset' : `trouble starts ${clock(r.ranking.onset)}`})`,
  );
  if (r.ranking.candidates.length === 0)
    lines.push('  nothing stands out: no symptom and no suspicious change found');
  for (const [i, c] of r.ranking.candidates.entries()) {
    lines.push('');
    lines.push(`${i + 1}. ${c.entity}  score ${c.score.toFixed(2)}`);
    for (const reason of c.reasons.slice(0, REASONS_SHOWN))
      lines.push(`     ${reason.signal.padEnd(9)} ${reason.weight.toFixed(2)}  ${reason.text}`);
    if (c.reasons.length > REASONS_SHOWN) lines.push(`     … ${c.reasons.length - REASONS_SHOWN} more`);
    for (const d of c.discounts) lines.push(`     lowered: ${d}`);
  }
  if (r.evidence.notes.length > 0) {
    lines.push('');
    lines.push('Also seen (not ranked):');
    for (const n of r.evidence.notes.slice(0, 10)) lines.push(`  - ${n}`);
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

/** Machine-readable evidence (`--json`). */
export function explainJson(r: AgentResult): unknown {
  return {
    entities: r.answer.entities,
    onset: r.ranking.onset === null ? null : new Date(r.ranking.onset).toISOString(),
    candidates: r.ranking.candidates.map((c) => ({
      entity: c.entity,
      score: Number(c.score.toFixed(4)),
      reasons: c.reasons.map((x) => ({
        signal: x.signal,
        weight: Number(x.weight.toFixed(4)),
        text: x.text,
      })),
      discounts: c.discounts,
    })),
    symptoms: r.evidence.symptoms.map((s) => ({
      ...s,
      weight: Number(s.weight.toFixed(4)),
      at: s.at === null ? null : new Date(s.at).toISOString(),
    })),
    suspects: r.evidence.suspects.map((s) => ({
      ...s,
      weight: Number(s.weight.toFixed(4)),
      at: s.at === null ? null : new Date(s.at).toISOString(),
    })),
    notes: r.evidence.notes,
    warnings: r.warnings,
  };
}
