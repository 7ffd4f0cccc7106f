import type { Logger } from '../logging/logger.js';
import type { Capability } from '../platform/capabilities.js';
import type { Substrate } from '../platform/substrate.js';
import type { FindToolOptions } from '../tools/find-tool.js';
import type { ToolSpec } from '../tools/tool-spec.js';

/** What every substrate factory is given; each takes the fields it uses. */
export interface SubstrateOptions {
  logger: Logger;
  pidDir?: string;
  /** Kubeconfig file (default $KUBECONFIG, then ~/.kube/config) and context, for substrates on a cluster. */
  kubeconfig?: string;
  context?: string;
  /** kind: where `kind export logs` writes when bring-up fails (e.g. beside the run's bundles). */
  logsDir?: string;
  /** kind: leave the cluster running on `down`. */
  keepCluster?: boolean;
  /**
   * Whether the scenarios to run need the chaos engine (a chaos capability); Kubernetes substrates install
   * Chaos Mesh only then. Default false: a cluster without Chaos Mesh's images still serves every other
   * fault type.
   */
  chaosEngine?: boolean;
  /** How tools are looked up (tests point it at an empty PATH). */
  toolSearch?: FindToolOptions;
}

/** What `firedrill down` did, one line each for stdout. */
export type CleanupReport = string[];

/**
 * One substrate, as the rest of firedrill sees it before anything is loaded: its name, what it provides,
 * the tools it cannot run without, and factories that import the implementation only when used (so
 * `validate` never loads client-node). A new substrate is its folder plus one entry in registry.ts.
 */
export interface SubstrateRegistration {
  readonly name: string;
  /** One line for `--help` and `firedrill doctor`. */
  readonly summary: string;
  readonly provides: readonly Capability[];
  /** Tools that must be installed for it to start (`firedrill doctor` lists them). */
  readonly tools: readonly ToolSpec[];
  create(opts: SubstrateOptions): Promise<Substrate>;
  /** `firedrill down`: stop what a previous `up` or a crashed run left behind. */
  cleanup(opts: SubstrateOptions): Promise<CleanupReport>;
}
