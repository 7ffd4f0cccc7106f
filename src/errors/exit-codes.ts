/**
 * Exit codes of every firedrill command; documented in README.md ("Exit codes"). Keep both in step.
 */
export const ExitCode = {
  Ok: 0,
  /** A check failed: bundle verify found mismatches, a run failed after starting, grading input unreadable. */
  Failure: 1,
  /** Bad input: invalid scenario, unknown fault type, bad entity id, bad command-line usage. */
  InvalidInput: 2,
  /** The run completed but the incident did not manifest (expected alerts never fired). */
  NotManifested: 3,
  /** A prerequisite is missing: a binary (prometheus, kind, docker...) or a package. */
  MissingPrerequisite: 4,
  /** The substrate could not be reached or brought up (cluster unreachable, port clash, timeout). */
  SubstrateError: 5,
  /** Interrupted by SIGINT/SIGTERM; faults were recovered and no bundle was left looking complete. */
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
