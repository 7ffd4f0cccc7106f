import { join } from 'node:path';
import { ExitCode } from '../../errors/exit-codes.js';
import { FiredrillError } from '../../errors/firedrill-error.js';
import type { CommandRunner } from '../../process/command-runner.js';
import { ExecaCommandRunner } from '../../process/execa-command-runner.js';
import { REPO_ROOT } from '../../version.js';

/** Builds the shop's container image locally (docker build); nothing is pushed. */
export interface ShopImageBuilder {
  build(signal?: AbortSignal): Promise<void>;
}

export const BUILD_IMAGE_SCRIPT = join(REPO_ROOT, 'scripts', 'build-image.sh');

/** scripts/build-image.sh's exit statuses mapped onto firedrill's. */
const SCRIPT_EXIT: Record<number, ExitCode> = {
  2: ExitCode.InvalidInput,
  4: ExitCode.MissingPrerequisite,
};

/**
 * Runs scripts/build-image.sh (base image and tag from versions.json). Docker's layer cache makes a
 * rebuild of an unchanged tree take seconds.
 */
export class ScriptShopImageBuilder implements ShopImageBuilder {
  constructor(
    private readonly runner: CommandRunner = new ExecaCommandRunner(),
    private readonly script: string = BUILD_IMAGE_SCRIPT,
  ) {}

  async build(signal?: AbortSignal): Promise<void> {
    const r = await this.runner.run('bash', [this.script], {
      cwd: REPO_ROOT,
      timeoutMs: 20 * 60_000,
      signal,
    });
    if (r.exitCode === 0) return;
    const tail = r.stderr
      .trim()
      .split('\n')
      .slice(-15)
      .map((l) => `  | ${l}`)
      .join('\n');
    throw new FiredrillError(
      `building the shop image failed (${r.command}, exit status ${r.exitCode})${tail ? `\n${tail}` : ''}`,
      SCRIPT_EXIT[r.exitCode] ?? ExitCode.SubstrateError,
    );
  }
}
