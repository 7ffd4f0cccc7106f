/** Prometheus or Kubernetes labels. Defined here (the lowest room) so entity rules need nothing above. */
export type Labels = Record<string, string>;
