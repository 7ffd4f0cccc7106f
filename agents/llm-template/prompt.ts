import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type {
  AlertsFile,
  EventRecord,
  LogRecord,
  ObjectChange,
  SpanRecord,
  Topology,
} from '../../src/bundle/records.js';

/** How much snapshot text goes into the prompt; the rest is summarised by counts. */
export interface PromptBudget {
  /** Characters of the whole evidence section. */
  maxChars: number;
  events: number;
  logLines: number;
  changes: number;
}

export const DEFAULT_BUDGET: PromptBudget = { maxChars: 60_000, events: 60, logLines: 80, changes: 40 };

/** The snapshot files are optional: an eval may omit any of them (`--omit traces`). */
async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

async function* ndjson<T>(path: string): AsyncGenerator<T> {
  let stream;
  try {
    stream = createReadStream(path, { encoding: 'utf8' });
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      if (line.trim() === '') continue;
      try {
        yield JSON.parse(line) as T;
      } catch {
        // a torn line costs one record, not the prompt
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  } finally {
    stream?.destroy();
  }
}

const ERRORISH =
  /\b(error|exception|fail(ed|ure)?|refused|timeout|timed out|unavailable|crash|oom|killed|denied|fatal)\b/i;

/**
 * The evidence as compact text for a model: the task, the alert timeline, the entities it may name,
 * warnings, error-ish log lines, error spans per service and the object changes. Raw files are far
 * larger than any context window, so each source is reduced to what an SRE would skim first.
 */
export async function buildEvidence(
  snapshotDir: string,
  budget: PromptBudget = DEFAULT_BUDGET,
): Promise<string> {
  const p = (f: string): string => join(snapshotDir, f);
  const parts: string[] = [];
  const task = await readFile(p('task.md'), 'utf8').catch(() => '');
  parts.push(`## task.md\n${task.trim()}`);

  const alerts = await readJson<AlertsFile>(p('alerts.json'));
  if (alerts) {
    const lines = (alerts.timeline ?? []).map(
      (t) =>
        `${t.start} ${t.state} ${t.alertname} ${JSON.stringify(t.labels)}${t.end ? ` until ${t.end}` : ''}`,
    );
    parts.push(`## alerts (timeline)\n${lines.join('\n') || '(none)'}`);
  }

  const topology = await readJson<Topology>(p('topology.json'));
  if (topology) {
    const ids = topology.entities.map((e) => e.id);
    const calls = topology.edges.filter((e) => e.type === 'calls').map((e) => `${e.from} -> ${e.to}`);
    parts.push(`## entities (name root causes from this list)\n${ids.join('\n')}`);
    if (calls.length > 0) parts.push(`## calls\n${calls.join('\n')}`);
  }

  const events: string[] = [];
  for await (const e of ndjson<EventRecord>(p('events.ndjson'))) {
    if (e.type !== 'Warning') continue;
    if (events.length < budget.events)
      events.push(`${e.lastTimestamp} ${e.entity} ${e.reason} x${e.count}: ${e.message}`);
  }
  if (events.length > 0) parts.push(`## warning events\n${events.join('\n')}`);

  const logCounts = new Map<string, { lines: number; errors: number }>();
  const logs: string[] = [];
  for await (const l of ndjson<LogRecord>(p('logs.ndjson'))) {
    const c = logCounts.get(l.entity) ?? { lines: 0, errors: 0 };
    c.lines++;
    const bad = l.stream === 'stderr' || ERRORISH.test(l.line);
    if (bad) {
      c.errors++;
      if (logs.length < budget.logLines) logs.push(`${l.ts} ${l.entity}: ${l.line.slice(0, 300)}`);
    }
    logCounts.set(l.entity, c);
  }
  if (logCounts.size > 0)
    parts.push(
      `## logs per pod (lines / error-ish lines)\n${[...logCounts]
        .map(([e, c]) => `${e} ${c.lines} / ${c.errors}`)
        .join('\n')}\n## first error-ish log lines\n${logs.join('\n') || '(none)'}`,
    );

  const spans = new Map<string, { total: number; errors: number; slowMs: number }>();
  for await (const s of ndjson<SpanRecord>(p('traces.ndjson'))) {
    const key = `${s.service} ${s.name}`;
    const c = spans.get(key) ?? { total: 0, errors: 0, slowMs: 0 };
    c.total++;
    if (s.status === 'error') c.errors++;
    c.slowMs = Math.max(c.slowMs, s.durationMs);
    spans.set(key, c);
  }
  if (spans.size > 0)
    parts.push(
      `## spans per operation (count, errors, slowest ms)\n${[...spans]
        .sort((a, b) => b[1].errors - a[1].errors || b[1].slowMs - a[1].slowMs)
        .slice(0, 40)
        .map(([k, c]) => `${k}: ${c.total}, ${c.errors}, ${Math.round(c.slowMs)}`)
        .join('\n')}`,
    );

  const changes: string[] = [];
  for await (const c of ndjson<ObjectChange>(p('object-changes.ndjson'))) {
    if (changes.length >= budget.changes) break;
    const after = c.object as unknown as Record<string, unknown>;
    const before = c.before as unknown as Record<string, unknown> | undefined;
    // Which top-level parts changed (spec, data, metadata): enough to tell a rollout from a relabel.
    const fields = before
      ? Object.keys({ ...after, ...before }).filter(
          (k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]),
        )
      : [];
    changes.push(`${c.ts} ${c.action} ${c.entity}${fields.length ? ` (changed: ${fields.join(', ')})` : ''}`);
  }
  if (changes.length > 0) parts.push(`## object changes\n${changes.join('\n')}`);

  const text = parts.join('\n\n');
  return text.length > budget.maxChars ? `${text.slice(0, budget.maxChars)}\n[evidence truncated]` : text;
}

export const SYSTEM_PROMPT = `You are an SRE investigating a Kubernetes incident from a snapshot of its telemetry.
Name the root-cause entities: the objects whose change or failure caused the alerts, not the services
that merely suffered from them. Answer with JSON only, most likely first, ids as namespace/Kind/name
(cluster-scoped: Kind/name), at most 4 entities:
{"entities": ["shop/Deployment/example"]}`;
