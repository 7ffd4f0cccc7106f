import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadClientNode } from '../../kube/load-client-node.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { FiredrillError } from '../../errors/firedrill-error.js';
import { MANIFESTS_DIR } from '../../manifests/paths.js';
import { imageReference, loadVersions } from '../../versions/versions.js';
import type { ProgressReporter } from '../../platform/substrate.js';
import { KubernetesSubstrate, type KubernetesSubstrateOptions } from '../kubernetes/kubernetes-substrate.js';
import { ExecaKindCli } from './execa-kind-cli.js';
import type { KindCli, KindPrerequisites } from './kind-cli.js';
import { ScriptShopImageBuilder, type ShopImageBuilder } from './shop-image.js';

export const KIND_CLUSTER_CONFIG = join(MANIFESTS_DIR, 'kind', 'cluster.yaml');
export const DEFAULT_KIND_CLUSTER = 'shop-lab';

export interface KindSubstrateOptions extends KubernetesSubstrateOptions {
  kind?: KindCli;
  images?: ShopImageBuilder;
  /** Default `firedrill`; the kubeconfig context is `kind-<name>`. */
  clusterName?: string;
  /** Default manifests/kind/cluster.yaml. */
  configFile?: string;
  /** Default versions.json's images.kindNode, by digest. */
  nodeImage?: string;
  /** Default versions.json's images.shop. */
  shopImage?: string;
  /** `kind create cluster --wait`, seconds; default 180. */
  waitSec?: number;
  /** Build the shop image before loading it (default true); false when it was built already. */
  buildImage?: boolean;
  /** Leave a cluster this substrate created running on `down` (a reused cluster is always left). */
  keepCluster?: boolean;
  /** Where `kind export logs` writes when bring-up fails; default under the state directory. */
  logsDir?: string;
  /** `kind create cluster --kubeconfig`; default kind's ($KUBECONFIG or ~/.kube/config). */
  kubeconfigPath?: string;
}

/** `$XDG_STATE_HOME/firedrill/kind/logs/<time>`, where failed bring-ups leave kind's logs by default. */
export function defaultKindLogsDir(now: Date = new Date()): string {
  const state = process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state');
  return join(state, 'firedrill', 'kind', 'logs', now.toISOString().replace(/[:.]/g, '-'));
}

/**
 * A kind cluster on this machine's Docker: created with the pinned node image (or reused when one of
 * the name exists), the shop image built and `kind load`ed, then everything else as on any cluster.
 * When bring-up fails, `kind export logs` saves the nodes' logs and the error says where.
 */
export class KindSubstrate extends KubernetesSubstrate {
  readonly name = 'kind' as const;
  private readonly kind: KindCli;
  private readonly images: ShopImageBuilder;
  readonly clusterName: string;
  private created = false;
  private prerequisites: KindPrerequisites | undefined;

  constructor(private readonly kindOpts: KindSubstrateOptions) {
    super(kindOpts);
    this.kind = kindOpts.kind ?? new ExecaKindCli({ logger: kindOpts.logger });
    this.images = kindOpts.images ?? new ScriptShopImageBuilder();
    this.clusterName = kindOpts.clusterName ?? DEFAULT_KIND_CLUSTER;
  }

  private get nodeImage(): string {
    return this.kindOpts.nodeImage ?? imageReference(loadVersions().images.kindNode);
  }

  private get shopImage(): string {
    return this.kindOpts.shopImage ?? loadVersions().images.shop.image;
  }

  protected async connect(signal: AbortSignal, progress: ProgressReporter): Promise<KubeConfig> {
    const name = this.clusterName;
    progress.phase('up', 'checking docker and kind');
    this.prerequisites = await this.kind.check(signal);
    const pinned = loadVersions().tools.kind.replace(/^v/, '');
    if (this.prerequisites.kind && this.prerequisites.kind !== pinned) {
      this.log.warn(
        { found: this.prerequisites.kind, pinned },
        'kind version differs from versions.json; node images are only guaranteed with the release they were built for',
      );
    }

    if ((await this.kind.getClusters()).includes(name)) {
      progress.phase('up', `reusing kind cluster ${name}`);
    } else {
      progress.phase('up', `creating kind cluster ${name} (${this.nodeImage}; a few minutes the first time)`);
      try {
        await this.kind.createCluster(
          {
            name,
            config: this.kindOpts.configFile ?? KIND_CLUSTER_CONFIG,
            image: this.nodeImage,
            waitSec: this.kindOpts.waitSec ?? 180,
            retain: true,
            kubeconfig: this.kindOpts.kubeconfigPath,
          },
          signal,
        );
        this.created = true;
      } catch (err) {
        // --retain kept the broken nodes for the logs; they must go before the next attempt.
        const note = signal.aborted ? undefined : await this.exportLogs();
        await this.kind
          .deleteCluster(name)
          .catch((e: unknown) => this.log.warn({ err: e }, 'deleting the failed cluster failed'));
        if (!note) throw err;
        throw new FiredrillError(
          `${(err as Error).message}\n${note}`,
          err instanceof FiredrillError ? err.exitCode : ExitCode.SubstrateError,
          { cause: err },
        );
      }
    }

    if (this.kindOpts.buildImage ?? true) {
      progress.phase('up', `building ${this.shopImage} (docker build)`);
      await this.images.build(signal);
    }
    progress.phase('up', `loading ${this.shopImage} into the cluster (kind load docker-image)`);
    await this.kind.loadDockerImage(this.shopImage, name, signal);

    const kc = new (await loadClientNode()).KubeConfig();
    kc.loadFromString(await this.kind.getKubeconfig(name));
    return kc;
  }

  protected override async diagnoseFailedUp(): Promise<string | undefined> {
    return this.exportLogs();
  }

  private async exportLogs(): Promise<string | undefined> {
    const dir = this.kindOpts.logsDir ?? defaultKindLogsDir();
    try {
      await mkdir(dir, { recursive: true });
      await this.kind.exportLogs(this.clusterName, dir);
      return `kind logs of the cluster's nodes: ${dir}`;
    } catch (err) {
      this.log.warn({ err, dir }, 'kind export logs failed');
      return undefined;
    }
  }

  protected override async extraEnvironment(): Promise<Record<string, unknown>> {
    return {
      kind: {
        cluster: this.clusterName,
        version: this.prerequisites?.kind,
        docker: this.prerequisites?.docker,
        nodeImage: this.nodeImage,
        created: this.created,
      },
    };
  }

  /** Closes connections; deletes the cluster when this substrate created it, unless told to keep it. */
  override async down(): Promise<void> {
    await super.down();
    if (this.created && !this.kindOpts.keepCluster) {
      this.created = false;
      await this.kind.deleteCluster(this.clusterName);
    }
  }
}

/** `firedrill down --substrate kind`: delete the cluster whoever created it (idempotent). */
export async function deleteKindCluster(
  name: string = DEFAULT_KIND_CLUSTER,
  kind: KindCli = new ExecaKindCli(),
): Promise<boolean> {
  const existed = (await kind.getClusters()).includes(name);
  await kind.deleteCluster(name);
  return existed;
}
