import type { CaptureWindow } from '../platform/capture-sources.js';

/**
 * The question an agent gets: the window and where to look, nothing about what happened. The same
 * words for every task, so the text itself carries no hint.
 */
export function taskText(window: CaptureWindow, namespaces: string[]): string {
  return `# Incident investigation

Alerts are firing for the application running in namespace${namespaces.length > 1 ? 's' : ''} ${namespaces.map((n) => `\`${n}\``).join(', ')}.
The snapshot in this directory covers ${window.start.toISOString()} to ${window.end.toISOString()}.

Find the root cause: the Kubernetes entities whose change or failure caused the alerts.

## Evidence

- \`alerts.json\`: alerts active at the end of the window, and every pending/firing interval in it
- \`events.ndjson\`: Kubernetes events
- \`logs.ndjson\`: container logs, one line per record
- \`metrics.ndjson\`: Prometheus series over the window, one series per line
- \`traces.ndjson\`: distributed-tracing spans, one span per line
- \`topology.json\`: entities and how they own, select, use and call each other
- \`objects.ndjson\`: the Kubernetes objects at the end of the window

## Answer

Write JSON with the entities ranked, most likely first, each as \`namespace/Kind/name\`
(cluster-scoped: \`Kind/name\`):

\`\`\`json
{"entities": ["${namespaces[0] ?? 'default'}/Deployment/example", "${namespaces[0] ?? 'default'}/ConfigMap/example-config"]}
\`\`\`
`;
}
