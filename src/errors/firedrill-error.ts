import { ExitCode } from './exit-codes.js';

/**
 * Base of every error that crosses a module boundary. The top-level CLI handler maps the
 * `exitCode` of whatever reaches it, so each subclass decides how a failure is reported.
 */
export class FiredrillError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = ExitCode.Failure, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}
