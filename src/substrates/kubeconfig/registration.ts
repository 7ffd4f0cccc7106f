import { KUBERNETES_CAPABILITIES } from '../kubernetes/kubernetes-capabilities.js';
import type { SubstrateRegistration } from '../substrate-registration.js';

export const kubeconfigRegistration: SubstrateRegistration = {
  name: 'kubeconfig',
  summary: 'an existing cluster, reached through a kubeconfig context (firedrill never owns it)',
  provides: KUBERNETES_CAPABILITIES,
  tools: [],
  async create(opts) {
    const { KubeconfigSubstrate } = await import('./kubeconfig-substrate.js');
    // FIREDRILL_SHOP_IMAGE: the shop image as the cluster's nodes can pull it (nothing is pushed for them).
    return new KubeconfigSubstrate({
      logger: opts.logger,
      context: opts.context,
      kubeconfigPath: opts.kubeconfig,
      deploy: { shopImage: process.env.FIREDRILL_SHOP_IMAGE || undefined },
      chaosMesh: opts.chaosEngine ?? false,
    });
  },
  async cleanup() {
    return ['kubeconfig substrate: firedrill never owns the cluster; nothing to stop'];
  },
};
