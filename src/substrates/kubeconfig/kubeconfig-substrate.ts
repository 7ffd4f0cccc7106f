import type { KubeConfig } from '@kubernetes/client-node';
import { loadClientNode } from '../../kube/load-client-node.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { MissingToolError } from '../../errors/missing-tool-error.js';
import type { ProgressReporter } from '../../platform/substrate.js';
import { KubernetesSubstrate, type KubernetesSubstrateOptions } from '../kubernetes/kubernetes-substrate.js';

export interface KubeconfigSubstrateOptions extends KubernetesSubstrateOptions {
  /** Context to use; default the kubeconfig's current context. */
  context?: string;
  /** Kubeconfig file; default $KUBECONFIG, then ~/.kube/config (client-node's rules, as kubectl). */
  kubeconfigPath?: string;
}

/**
 * Loads a kubeconfig and selects the context, failing with the list of contexts when the name is unknown
 * and with a hint when there is no kubeconfig at all.
 */
export async function loadKubeConfig(opts: {
  context?: string;
  kubeconfigPath?: string;
}): Promise<KubeConfig> {
  const kc = new (await loadClientNode()).KubeConfig();
  if (opts.kubeconfigPath) kc.loadFromFile(opts.kubeconfigPath);
  else kc.loadFromDefault();
  const names = kc.getContexts().map((c) => c.name);
  if (names.length === 0) {
    throw new MissingToolError(
      'kubeconfig',
      'point KUBECONFIG at a kubeconfig file, or create ~/.kube/config (your cluster provider documents how)',
      'no contexts found',
    );
  }
  if (opts.context) {
    if (!names.includes(opts.context)) {
      throw new InvalidInputError(
        `kubeconfig has no context "${opts.context}"; its contexts: ${names.join(', ')}`,
      );
    }
    kc.setCurrentContext(opts.context);
  }
  return kc;
}

/**
 * The shop and its observability stack on an existing cluster, chosen by kubeconfig context. Nothing is
 * created or deleted beyond the manifests' objects; `down` only closes firedrill's connections. The shop
 * image must be pullable by the cluster's nodes (see docs/kubernetes.md).
 */
export class KubeconfigSubstrate extends KubernetesSubstrate {
  readonly name = 'kubeconfig' as const;

  constructor(private readonly kubeOpts: KubeconfigSubstrateOptions) {
    super(kubeOpts);
  }

  protected async connect(_signal: AbortSignal, progress: ProgressReporter): Promise<KubeConfig> {
    progress.phase('up', 'reading the kubeconfig');
    return loadKubeConfig(this.kubeOpts);
  }
}
