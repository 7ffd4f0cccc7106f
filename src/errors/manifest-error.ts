import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

/** Where in a manifest file a problem sits; line and col are 1-based, 0 when unknown. */
export interface ManifestProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/**
 * Unreadable or inconsistent Kubernetes manifests or rule files (bad YAML, an object without kind or
 * name, a reference to a Secret that does not exist). One `file:line:col: message` line per problem.
 */
export class ManifestError extends FiredrillError {
  readonly problems: readonly ManifestProblem[];

  constructor(problems: readonly ManifestProblem[]) {
    super(
      problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('\n'),
      ExitCode.InvalidInput,
    );
    this.problems = problems;
  }
}
