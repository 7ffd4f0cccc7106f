import { MissingToolError } from './missing-tool-error.js';

/**
 * The docker CLI is installed but its daemon does not answer (`docker info` fails). A MissingToolError
 * (exit code 4, a prerequisite) with its own wording: nothing needs installing, something needs starting.
 */
export class DockerDaemonError extends MissingToolError {
  /** What `docker info` printed, trimmed. */
  readonly output: string;

  constructor(output: string, start: string) {
    super('docker daemon', start);
    const first = output.trim().split('\n').slice(-3).join(' ').slice(0, 400);
    this.message = `the Docker daemon is not reachable (docker info: ${first || 'no output'}); start it with: ${start}`;
    this.output = output;
  }
}
