import { requireTool } from '../../tools/find-tool.js';
import { DOCKER, KIND } from '../../tools/tool-specs.js';
import { KUBERNETES_CAPABILITIES } from '../kubernetes/kubernetes-capabilities.js';
import type { SubstrateRegistration } from '../substrate-registration.js';

export const kindRegistration: SubstrateRegistration = {
  name: 'kind',
  summary: 'a kind cluster on this machine’s Docker, created (or reused) with the pinned node image',
  provides: KUBERNETES_CAPABILITIES,
  tools: [DOCKER, KIND],
  async create(opts) {
    // Fail fast, naming what is missing, before anything starts.
    const docker = await requireTool(DOCKER, opts.toolSearch);
    const kind = await requireTool(KIND, opts.toolSearch);
    const { ExecaKindCli } = await import('./execa-kind-cli.js');
    const { KindSubstrate } = await import('./kind-substrate.js');
    return new KindSubstrate({
      logger: opts.logger,
      kind: new ExecaKindCli({ kind: kind.path, docker: docker.path, logger: opts.logger }),
      logsDir: opts.logsDir,
      keepCluster: opts.keepCluster,
      kubeconfigPath: opts.kubeconfig,
      chaosMesh: opts.chaosEngine ?? false,
    });
  },
  async cleanup() {
    const { DEFAULT_KIND_CLUSTER, deleteKindCluster } = await import('./kind-substrate.js');
    const existed = await deleteKindCluster();
    return [existed ? `deleted kind cluster ${DEFAULT_KIND_CLUSTER}` : 'no kind cluster to delete'];
  },
};
