import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { Logger } from '../logging/logger.js';
import { LocalSubstrate } from './local/local-substrate.js';
import { SUBSTRATE_NAMES, type SubstrateName } from './substrate-name.js';
import type { Substrate } from './substrate.js';
import { requireTool, type FindToolOptions } from '../tools/find-tool.js';
import { DOCKER, KIND } from '../tools/tool-specs.js';
import { ExecaKindCli } from './kind/execa-kind-cli.js';
import { KindSubstrate } from './kind/kind-substrate.js';
import { KubeconfigSubstrate } from './kubeconfig/kubeconfig-substrate.js';

export interface SubstrateOptions {
  logger: Logger;
  pidDir?: string;
  context?: string;
  /** kind: where `kind export logs` writes when bring-up fails (e.g. beside the run's bundles). */
  logsDir?: string;
  /** kind: leave the cluster running on `down`. */
  keepCluster?: boolean;
  /** How docker and kind are looked up (tests point it at an empty PATH). */
  toolSearch?: FindToolOptions;
}

export function parseSubstrateName(text: string): SubstrateName {
  if ((SUBSTRATE_NAMES as readonly string[]).includes(text)) return text as SubstrateName;
  throw new InvalidInputError(`unknown substrate "${text}"; choose one of ${SUBSTRATE_NAMES.join(', ')}`);
}

export async function createSubstrate(name: SubstrateName, opts: SubstrateOptions): Promise<Substrate> {
  if (name === 'local') {
    // FIREDRILL_WORK_DIR keeps configs, TSDB and pod directories in a known place (debugging, tests).
    return new LocalSubstrate({
      logger: opts.logger,
      pidDir: opts.pidDir,
      workDir: process.env.FIREDRILL_WORK_DIR,
    });
  }
  if (name === 'kind') {
    // Fail fast, naming what is missing, before anything starts.
    const docker = await requireTool(DOCKER, opts.toolSearch);
    const kind = await requireTool(KIND, opts.toolSearch);
    return new KindSubstrate({
      logger: opts.logger,
      kind: new ExecaKindCli({ kind: kind.path, docker: docker.path, logger: opts.logger }),
      logsDir: opts.logsDir,
      keepCluster: opts.keepCluster,
    });
  }
  // FIREDRILL_SHOP_IMAGE: the shop image as the cluster's nodes can pull it (nothing is pushed for them).
  return new KubeconfigSubstrate({
    logger: opts.logger,
    context: opts.context,
    deploy: { shopImage: process.env.FIREDRILL_SHOP_IMAGE || undefined },
  });
}
