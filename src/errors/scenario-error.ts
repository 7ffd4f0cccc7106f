import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

export interface ScenarioProblem {
  file: string;
  line: number;
  col: number;
  /** Dotted field path inside the document, e.g. `spec.faults.0.params.delayMs`; empty for the root. */
  path: string;
  message: string;
}

export function formatProblem(p: ScenarioProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.path || '(root)'}: ${p.message}`;
}

/** One or more problems in scenario files; the message is one `file:line:col: path: message` line each. */
export class ScenarioError extends FiredrillError {
  readonly problems: readonly ScenarioProblem[];

  constructor(problems: readonly ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'), ExitCode.InvalidInput);
    this.problems = problems;
  }

  get file(): string {
    return this.problems[0]?.file ?? '';
  }
  get line(): number {
    return this.problems[0]?.line ?? 0;
  }
  get path(): string {
    return this.problems[0]?.path ?? '';
  }
}
