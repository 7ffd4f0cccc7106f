import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

/** A required executable is not installed; the message says how to install it. */
export class MissingToolError extends FiredrillError {
  readonly tool: string;
  readonly install: string;

  constructor(tool: string, install: string, detail?: string) {
    super(
      `${tool} not found${detail ? ` (${detail})` : ''}; install it with: ${install}`,
      ExitCode.MissingPrerequisite,
    );
    this.tool = tool;
    this.install = install;
  }
}
