export const SUBSTRATE_NAMES = ['local', 'kind', 'kubeconfig'] as const;
export type SubstrateName = (typeof SUBSTRATE_NAMES)[number];
