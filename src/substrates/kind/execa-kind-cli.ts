import { execa } from 'execa';
import { DockerDaemonError } from '../../errors/docker-daemon-error.js';
import { FiredrillError } from '../../errors/firedrill-error.js';
import { KindCommandError } from '../../errors/kind-command-error.js';
import { MissingToolError } from '../../errors/missing-tool-error.js';
import { TimeoutError } from '../../errors/timeout-error.js';
import type { Logger } from '../../logging/logger.js';
import { detectPlatform, installHint } from '../../tools/platform.js';
import type { PlatformFamily } from '../../tools/tool-spec.js';
import { DOCKER, KIND } from '../../tools/tool-specs.js';
import type { KindCli, KindClusterSpec, KindPrerequisites } from './kind-cli.js';

export interface ExecaKindCliOptions {
  /** kind executable (name on PATH or path); default `kind`. */
  kind?: string;
  /** docker executable; default `docker`. */
  docker?: string;
  /** Added to the children's environment (tests put fake binaries first on PATH). */
  env?: Record<string, string>;
  logger?: Logger;
  platform?: PlatformFamily;
}

interface Ran {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

const START_DOCKER: Record<PlatformFamily, string> = {
  debian:
    'sudo systemctl start docker (and let your user reach it: sudo usermod -aG docker "$USER", then log in again)',
  macos: 'open -a Docker (Docker Desktop), or: colima start',
  other: 'start the Docker daemon (https://docs.docker.com/config/daemon/start/)',
};

/** KindCli running the real binaries with execa; kind's progress lines go to the debug log. */
export class ExecaKindCli implements KindCli {
  private readonly kindBin: string;
  private readonly dockerBin: string;
  private readonly platform: PlatformFamily;

  constructor(private readonly opts: ExecaKindCliOptions = {}) {
    this.kindBin = opts.kind ?? 'kind';
    this.dockerBin = opts.docker ?? 'docker';
    this.platform = opts.platform ?? detectPlatform();
  }

  async check(signal?: AbortSignal): Promise<KindPrerequisites> {
    const kind = await this.run(this.kindBin, ['version'], { timeoutMs: 15_000, signal });
    if (kind.exitCode !== 0) throw this.commandError(kind);
    const docker = await this.run(this.dockerBin, ['info', '--format', '{{.ServerVersion}}'], {
      timeoutMs: 20_000,
      signal,
    });
    if (docker.exitCode !== 0 || docker.stdout.trim() === '') {
      throw new DockerDaemonError(`${docker.stderr}\n${docker.stdout}`, START_DOCKER[this.platform]);
    }
    return {
      kind: /kind v(\d+\.\d+\.\d+\S*)/.exec(kind.stdout)?.[1],
      docker: docker.stdout.trim(),
    };
  }

  async createCluster(spec: KindClusterSpec, signal?: AbortSignal): Promise<void> {
    const args = [
      'create',
      'cluster',
      '--name',
      spec.name,
      '--config',
      spec.config,
      '--image',
      spec.image,
      '--wait',
      `${spec.waitSec}s`,
    ];
    if (spec.retain) args.push('--retain');
    if (spec.kubeconfig) args.push('--kubeconfig', spec.kubeconfig);
    // Node image pull plus boot: minutes on a cold machine.
    await this.ok(this.kindBin, args, { timeoutMs: (spec.waitSec + 900) * 1000, signal });
  }

  async getClusters(): Promise<string[]> {
    const r = await this.ok(this.kindBin, ['get', 'clusters'], { timeoutMs: 30_000 });
    // "No kind clusters found." goes to stderr; stdout has one name a line.
    return r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
  }

  async getKubeconfig(name: string): Promise<string> {
    const r = await this.ok(this.kindBin, ['get', 'kubeconfig', '--name', name], { timeoutMs: 30_000 });
    return r.stdout;
  }

  async loadDockerImage(image: string, name: string, signal?: AbortSignal): Promise<void> {
    await this.ok(this.kindBin, ['load', 'docker-image', image, '--name', name], {
      timeoutMs: 600_000,
      signal,
    });
  }

  async exportLogs(name: string, dir: string): Promise<void> {
    await this.ok(this.kindBin, ['export', 'logs', dir, '--name', name], { timeoutMs: 300_000 });
  }

  async deleteCluster(name: string): Promise<void> {
    if (!(await this.getClusters()).includes(name)) return;
    await this.ok(this.kindBin, ['delete', 'cluster', '--name', name], { timeoutMs: 300_000 });
  }

  private async ok(
    bin: string,
    args: string[],
    o: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<Ran> {
    const r = await this.run(bin, args, o);
    if (r.exitCode !== 0) throw this.commandError(r);
    return r;
  }

  private commandError(r: Ran): KindCommandError {
    return new KindCommandError(r.command, r.exitCode, r.stderr || r.stdout);
  }

  private async run(
    bin: string,
    args: string[],
    o: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<Ran> {
    const log = this.opts.logger?.child({ component: 'kind-cli' });
    const child = execa(bin, args, {
      env: this.opts.env,
      extendEnv: true,
      stdin: 'ignore',
      reject: false,
      timeout: o.timeoutMs,
      cancelSignal: o.signal,
      forceKillAfterDelay: 5000,
      stripFinalNewline: false,
      encoding: 'utf8',
    });
    if (log) {
      child.stderr?.on('data', (chunk: Buffer | string) => {
        for (const line of String(chunk).split('\n')) if (line.trim()) log.debug({ bin, line }, 'output');
      });
    }
    const result = await child;
    const command = result.escapedCommand;
    if (result.timedOut) throw new TimeoutError(command, o.timeoutMs);
    if (result.isCanceled) {
      const reason: unknown = o.signal?.reason;
      throw reason instanceof Error ? reason : new FiredrillError(`${command} was cancelled`);
    }
    if (result.exitCode === undefined && result.signal === undefined) {
      const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOENT' || code === 'EACCES') throw this.missing(bin);
      throw new FiredrillError(`cannot run ${command}: ${result.shortMessage}`);
    }
    return {
      command,
      exitCode: result.exitCode ?? 128,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
    };
  }

  private missing(bin: string): MissingToolError {
    const spec = bin === this.dockerBin ? DOCKER : KIND;
    return new MissingToolError(
      spec.name,
      installHint(spec.install, this.platform),
      `could not run "${bin}"`,
    );
  }
}
