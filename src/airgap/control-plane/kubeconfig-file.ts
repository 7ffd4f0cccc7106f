import { stringify } from 'yaml';

export interface KubeconfigInput {
  /** Cluster, user and context name. */
  name: string;
  /** `https://127.0.0.1:<port>`. */
  server: string;
  /** PEM of the CA that signed the server certificate; embedded so the file can be copied on its own. */
  caPem: string;
  /** Bearer token of the user. */
  token: string;
}

/** A single-context kubeconfig with a bearer token, as kubectl and @kubernetes/client-node read it. */
export function renderKubeconfig(input: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: input.name,
        cluster: {
          server: input.server,
          'certificate-authority-data': Buffer.from(input.caPem, 'utf8').toString('base64'),
        },
      },
    ],
    users: [{ name: input.name, user: { token: input.token } }],
    contexts: [{ name: input.name, context: { cluster: input.name, user: input.name } }],
    'current-context': input.name,
    preferences: {},
  });
}
