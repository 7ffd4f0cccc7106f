/**
 * The agent contract (docs/eval.md): what `firedrill eval` hands an agent and what it expects back. One
 * place, so the docs, the harness and the shipped agents cannot drift apart.
 */

/** Environment variables every agent gets (on top of PATH, HOME, TMPDIR, LANG, USER and `--env`). */
export const AGENT_ENV = {
  /** The read-only snapshot directory: task.md, alerts.json, ... */
  snapshot: 'FIREDRILL_SNAPSHOT',
  /** Where to write `{"entities": [...]}`; its directory is writable. */
  answer: 'FIREDRILL_ANSWER',
  /** The wall-clock limit in milliseconds, so an agent can budget its own time. */
  timeoutMs: 'FIREDRILL_TIMEOUT_MS',
  /** A random id per attempt; every process still carrying it when the attempt ends is killed. */
  attemptId: 'FIREDRILL_ATTEMPT_ID',
} as const;

/** `{name}` in the `--agent` command line, replaced by the (shell-quoted) path. */
export const PLACEHOLDERS = {
  snapshot: '{snapshot}',
  answer: '{answer}',
  answerDir: '{answer_dir}',
} as const;

/** An answer larger than this is malformed: no ranked list of entities needs a megabyte. */
export const ANSWER_MAX_BYTES = 1024 * 1024;

/** Of each of stdout and stderr, the first and the last this many bytes are kept. */
export const OUTPUT_KEEP_BYTES = 4096;

/** Defaults, as ITBench-AA runs: three repeats per task. */
export const DEFAULT_REPEATS = 3;
export const DEFAULT_TIMEOUT = '10m';
export const DEFAULT_GRACE = '5s';

/** When firedrill runs as root, agents run as this account unless `--user` says otherwise. */
export const DEFAULT_AGENT_USER = 'nobody';

/** Plain path characters: a path made only of them goes into the command line unquoted. */
const SAFE = /^[A-Za-z0-9_/.,:+@%=-]+$/;

/** Single-quotes for /bin/sh when the text needs it. */
export function shellQuote(text: string): string {
  if (text !== '' && SAFE.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `--agent` command line with its placeholders replaced. Other braces are left alone: a command
 * may well contain JSON (`echo '{"entities": []}' > {answer}`).
 */
export function expandAgentCommand(
  template: string,
  paths: { snapshot: string; answer: string; answerDir: string },
): string {
  return template
    .split(PLACEHOLDERS.snapshot)
    .join(shellQuote(paths.snapshot))
    .split(PLACEHOLDERS.answer)
    .join(shellQuote(paths.answer))
    .split(PLACEHOLDERS.answerDir)
    .join(shellQuote(paths.answerDir));
}
