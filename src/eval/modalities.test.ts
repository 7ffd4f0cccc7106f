import { isOmitted, parseOmit, rewriteTaskText } from './modalities.js';

/** task.md as capture writes it (a bundle of the local corpus). */
const TASK = `# Incident investigation

Alerts are firing for the application running in namespace \`shop\`.

## Evidence

- \`alerts.json\`: alerts active at the end of the window, and every pending/firing interval in it
- \`events.ndjson\`: Kubernetes events
- \`logs.ndjson\`: container logs, one line per record
- \`metrics.ndjson\`: Prometheus series over the window, one series per line
- \`traces.ndjson\`: distributed-tracing spans, one span per line
- \`topology.json\`: entities and how they own, select, use and call each other

## Answer

Write JSON with the entities ranked, most likely first, each as \`namespace/Kind/name\`:

\`\`\`json
{"entities": ["shop/Deployment/example"]}
\`\`\`
`;

describe('--omit', () => {
  it('takes comma-separated, repeatable names and refuses unknown ones', () => {
    expect(parseOmit(['traces,logs', 'traces'])).toEqual(['logs', 'traces']);
    expect(parseOmit([])).toEqual([]);
    expect(() => parseOmit(['traces,task'])).toThrow(/unknown modality "task"; choose from alerts, /);
  });

  it('drops a modality’s file and any folder of the same name', () => {
    expect(isOmitted('snapshot/traces.ndjson', ['traces'])).toBe(true);
    expect(isOmitted('snapshot/logs/cart-0.ndjson', ['logs'])).toBe(true);
    expect(isOmitted('snapshot/logs.ndjson', ['traces'])).toBe(false);
    expect(isOmitted('snapshot/object-changes.ndjson', ['objects'])).toBe(false);
    expect(isOmitted('snapshot/task.md', ['alerts', 'events', 'logs'])).toBe(false);
  });

  it('rewrites task.md’s evidence list to the files that are there, nothing else', () => {
    const out = rewriteTaskText(TASK, ['logs', 'traces']);
    expect(out).not.toMatch(/logs\.ndjson|traces\.ndjson/);
    expect(TASK.split('\n').filter((l) => !out.split('\n').includes(l))).toEqual([
      '- `logs.ndjson`: container logs, one line per record',
      '- `traces.ndjson`: distributed-tracing spans, one span per line',
    ]);
    expect(rewriteTaskText(TASK, [])).toBe(TASK);
  });
});
