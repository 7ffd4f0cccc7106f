import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { Logger } from '../logging/logger.js';
import { LocalSubstrate } from './local/local-substrate.js';
import { SUBSTRATE_NAMES, type SubstrateName } from './substrate-name.js';
import type { Substrate } from './substrate.js';
import { FiredrillError } from '../errors/firedrill-error.js';
import { ExitCode } from '../errors/exit-codes.js';
import { requireTool } from '../tools/find-tool.js';
import { DOCKER, KIND } from '../tools/tool-specs.js';

export interface SubstrateOptions {
  logger: Logger;
  pidDir?: string;
  context?: string;
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
    await requireTool(DOCKER);
    await requireTool(KIND);
  }
  throw new FiredrillError(
    `the ${name} substrate is not available in this version of firedrill`,
    ExitCode.SubstrateError,
  );
}
