import type { CaptureWindow } from '../platform/capture-sources.js';
import type { Signal } from './signal.js';

/**
 * The question an agent gets: the window and where to look, nothing about what happened. The same
 * words for every task, so the text itself carries no hint.
 */
export function taskText(window: CaptureWindow, namespaces: string[], signals: readonly Signal[]): string {
  const evidence = signals
    .map((s) => `- \`${s.file.slice(s.file.lastIndexOf('/') + 1)}\`: ${s.evidence}`)
    .join('\n');
  return `# Incident investigation

Alerts are firing for the application running in namespace${namespaces.length > 1 ? 's' : ''} ${namespaces.map((n) => `\`${n}\``).join(', ')}.
The snapshot in this directory covers ${window.start.toISOString()} to ${window.end.toISOString()}.

Find the root cause: the Kubernetes entities whose change or failure caused the alerts.

## Evidence

${evidence}

## Answer

Write JSON with the entities ranked, most likely first, each as \`namespace/Kind/name\`
(cluster-scoped: \`Kind/name\`):

\`\`\`json
{"entities": ["${namespaces[0] ?? 'default'}/Deployment/example", "${namespaces[0] ?? 'default'}/ConfigMap/example-config"]}
\`\`\`
`;
}
