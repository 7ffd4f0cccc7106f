import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseShard } from '../../corpus/plan.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { AGENT_PRESETS, isAgentPreset, presetCommand } from '../../eval/agent-presets.js';
import {
  AGENT_ENV,
  DEFAULT_GRACE,
  DEFAULT_REPEATS,
  DEFAULT_TIMEOUT,
  DEFAULT_AGENT_USER,
  OUTPUT_KEEP_BYTES,
} from '../../eval/contract.js';
import { MODALITY_NAMES, parseOmit } from '../../eval/modalities.js';
import type { ResultsDocument } from '../../eval/run-eval.js';
import { DURATION_HINT, parseDuration } from '../../scenario/duration.js';
import { abortOnSignals } from '../support/interrupts.js';
import {
  addOutputOptions,
  formatStructured,
  outputFormat,
  type OutputCliOptions,
} from '../support/output-format.js';
import { processIo, type CommandIo } from '../support/command-io.js';
import { integerOption } from '../support/integer-option.js';

export type EvalIo = CommandIo;

export interface EvalCliOptions extends OutputCliOptions {
  corpus?: string;
  agent?: string;
  repeats: string;
  timeout: string;
  grace: string;
  parallel: string;
  omit?: string[];
  out?: string;
  isolate?: boolean;
  user?: string;
  env?: string[];
  only?: string[];
  shard?: string;
  resume?: boolean;
  force?: boolean;
}

export interface EvalDeps {
  signal?: AbortSignal;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function duration(text: string, flag: string, min: number): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < min) throw new InvalidInputError(`${flag} "${text}": ${DURATION_HINT}`);
  return ms;
}

/** `--env NAME` takes the value from firedrill's environment; `--env NAME=VALUE` gives it. */
export function parseEnvOptions(
  values: readonly string[],
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  const reserved = new Set<string>([...Object.values(AGENT_ENV), 'HOME', 'TMPDIR', 'USER', 'LOGNAME']);
  for (const v of values) {
    const eq = v.indexOf('=');
    const name = eq === -1 ? v : v.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new InvalidInputError(`--env "${v}": expected NAME or NAME=VALUE`);
    if (reserved.has(name)) throw new InvalidInputError(`--env ${name}: set by the harness for every agent`);
    const value = eq === -1 ? from[name] : v.slice(eq + 1);
    if (value === undefined)
      throw new InvalidInputError(`--env ${name}: not set in firedrill's environment (or give NAME=VALUE)`);
    out[name] = value;
  }
  return out;
}

function defaultOut(): string {
  const t = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
  return `eval-${t}`;
}

const HELP_AFTER = `
The agent contract (docs/eval.md):
  --agent is a command line run by /bin/sh in a fresh working directory per attempt; {snapshot},
  {answer} and {answer_dir} in it become absolute paths. Shipped agents run by name: ${Object.keys(AGENT_PRESETS).join(', ')}.
  Environment, built from scratch: ${AGENT_ENV.snapshot} (the read-only snapshot: task.md and the
  evidence files, nothing of truth/ or the manifest), ${AGENT_ENV.answer} (write {"entities": [...]}
  there), ${AGENT_ENV.timeoutMs}, ${AGENT_ENV.attemptId}, an empty HOME and TMPDIR, PATH, LANG, and
  what --env adds. stdin is empty; the first and last ${OUTPUT_KEEP_BYTES / 1024} KiB of stdout and stderr are kept.
  At the limit the agent's process group gets SIGTERM, then SIGKILL after --grace; anything it left
  running is killed when it ends. Exit 0 after writing the answer.
  As root, agents run as --user (default ${DEFAULT_AGENT_USER}) so the snapshot stays read-only.

Outcomes per attempt: scored, timed-out, crashed (non-zero exit), no-answer, malformed-answer (each
failure scores 0); interrupted and harness-error are left out of the means and redone by --resume.

Modalities for --omit: ${MODALITY_NAMES.join(', ')}.

Examples:
  firedrill eval --corpus out/corpus --agent reference
  firedrill eval --corpus out/corpus --agent "$PWD/my-agent.sh {snapshot} {answer}" --repeats 5 --parallel 2
  firedrill eval --corpus out/corpus --agent llm-template --env OPENAI_API_KEY --omit traces --timeout 15m
  firedrill eval --corpus out/corpus --agent reference --shard 2/3 --out eval-2 --resume
  firedrill eval compare eval-baseline eval-new
  firedrill eval merge eval-1 eval-2 eval-3 --out eval-all

Output:
  stdout  text: the scores (mean over tasks with a 95 % bootstrap interval), the outcomes, and the
          paths of results.json and report.md; -o json|yaml: {results, report, complete,
          interrupted, summary}
  stderr  one progress line per attempt, warnings

Exit codes: 0 every attempt ran (whatever it scored); 1 a bundle could not be used or the harness
failed an attempt; 2 bad usage or an eval in --out (use --resume or --force); 4 --isolate is not
available here; 130 interrupted (agents stopped, finished attempts kept, results marked partial).
`;

export function register(program: Command): void {
  const cmd = program
    .command('eval')
    .summary('run an agent over a corpus, sandboxed, graded, compared')
    .description(
      'Run an agent on every bundle of a corpus, --repeats times each, in a fresh read-only copy of the ' +
        'snapshot alone, under a wall-clock limit; grade each answer and write results.json and report.md ' +
        '(means per task and overall with bootstrap intervals, pass^k, outcomes, time).',
    )
    .option('--corpus <dir>', 'a corpus (<dir>/bundles), a directory of bundles or packed bundles')
    .option(
      '--agent <command>',
      `the agent's command line ({snapshot}, {answer}, {answer_dir}), or a shipped agent: ${Object.keys(AGENT_PRESETS).join(', ')}`,
    )
    .option('--repeats <n>', 'attempts per bundle', String(DEFAULT_REPEATS))
    .option('--timeout <duration>', 'wall-clock limit per attempt', DEFAULT_TIMEOUT)
    .option('--grace <duration>', 'between SIGTERM and SIGKILL at the limit', DEFAULT_GRACE)
    .option('--parallel <n>', 'attempts run at once', '1')
    .option(
      '--omit <modalities>',
      `drop whole evidence files: ${MODALITY_NAMES.join(', ')} (comma-separated, repeatable)`,
      collect,
    )
    .option('--out <dir>', 'the eval directory (default ./eval-<time>)')
    .option(
      '--isolate',
      'run each agent in its own network (loopback only), mount and pid namespaces (unshare)',
    )
    .option(
      '--user <account>',
      `as root: the account agents run as (default ${DEFAULT_AGENT_USER}; root keeps root)`,
    )
    .option(
      '--env <NAME[=VALUE]>',
      "add a variable to the agents' environment (repeatable; NAME alone: its value here)",
      collect,
    )
    .option('--only <ids>', 'only these scenario ids (comma-separated, repeatable)', collect)
    .option('--shard <i/n>', 'run only shard i of n of the attempts (join them with eval merge)')
    .option('--resume', 'keep the finished attempts in --out; run the rest')
    .option('--force', 'discard an eval already in --out');
  addOutputOptions(cmd, { what: 'the summary' })
    .addHelpText('after', HELP_AFTER)
    .action(async (o: EvalCliOptions) => {
      const code = await evalCommand(o);
      if (code !== ExitCode.Ok) process.exitCode = code;
    });

  const compare = cmd
    .command('compare')
    .summary('paired per-task differences of two evals')
    .description(
      'Compare two evals (directories or results.json) task by task: both means, the mean of B − A over ' +
        'the tasks both have with a bootstrap interval, and the tasks that flipped.',
    )
    .argument('<a>', 'the first eval (baseline)')
    .argument('<b>', 'the second eval');
  addOutputOptions(compare, { what: 'the comparison' })
    .addHelpText(
      'after',
      `
A task is solved when at least half of its attempts were correct (every root cause named, none ranked
below a wrong entity); it flipped when one eval solved it and the other did not.

Output:
  stdout  text: the means, B − A with its 95 % interval, flips, a row per task; -o json|yaml: the same
Exit codes: 0 compared; 1 a results.json unreadable; 2 bad usage.`,
    )
    .action(async (a: string, b: string, o: OutputCliOptions) => {
      const format = outputFormat(o);
      const { compareResults, formatComparison, loadResults } = await import('../../eval/compare.js');
      const c = compareResults(await loadResults(a), await loadResults(b));
      process.stdout.write(format === 'text' ? formatComparison(c) : formatStructured(c, format));
    });

  const merge = cmd
    .command('merge')
    .summary('join the eval directories of shards')
    .description(
      'Join eval directories of one eval run in shards (--shard i/n) into one, with its results.json and report.md.',
    )
    .argument('<dirs...>', 'eval directories')
    .requiredOption('--out <dir>', 'the joined eval directory');
  addOutputOptions(merge, { what: 'the summary' })
    .addHelpText(
      'after',
      `
Output:
  stdout  the paths of results.json and report.md; -o json|yaml: {results, report, complete, summary}
Exit codes: 0 merged; 1 a directory unreadable; 2 the shards were run differently, or bad usage.`,
    )
    .action(async (dirs: string[], o: OutputCliOptions & { out: string }) => {
      const format = outputFormat(o);
      const { mergeEvals } = await import('../../eval/merge.js');
      const r = await mergeEvals(dirs, o.out);
      for (const w of r.warnings) process.stderr.write(`firedrill: warning: ${w}\n`);
      process.stdout.write(
        format === 'text'
          ? `${r.layout.resultsFile}\n${r.layout.reportFile}\n`
          : formatStructured(
              {
                results: r.layout.resultsFile,
                report: r.layout.reportFile,
                complete: r.results.complete,
                summary: r.results.summary,
              },
              format,
            ),
      );
    });
}

/** The command body, separate from commander so tests can call it with captured output. */
export async function evalCommand(
  o: EvalCliOptions,
  io: EvalIo = processIo,
  deps: EvalDeps = {},
): Promise<ExitCode> {
  const format = outputFormat(o);
  if (o.corpus === undefined) throw new InvalidInputError('eval: --corpus <dir> is required');
  if (o.agent === undefined) throw new InvalidInputError("eval: --agent '<command>' is required");
  const agent = isAgentPreset(o.agent.trim())
    ? presetCommand(o.agent.trim() as keyof typeof AGENT_PRESETS)
    : o.agent;
  const options = {
    corpus: o.corpus,
    outDir: resolve(o.out ?? defaultOut()),
    agent,
    repeats: integerOption(o.repeats, '--repeats', 1),
    timeoutMs: duration(o.timeout, '--timeout', 1),
    graceMs: duration(o.grace, '--grace', 0),
    parallel: integerOption(o.parallel, '--parallel', 1),
    omit: parseOmit(o.omit ?? []),
    isolate: o.isolate === true,
    user: o.user,
    env: parseEnvOptions(o.env ?? []),
    only: (o.only ?? [])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean),
    shard: o.shard !== undefined ? parseShard(o.shard) : undefined,
    resume: o.resume,
    force: o.force,
  };
  // Loaded here, not at registration: every firedrill command builds the whole command tree first.
  const { runEval } = await import('../../eval/run-eval.js');
  const { outcomesTable, scoresTable } = await import('../../eval/render-report.js');
  const interrupts = deps.signal
    ? null
    : abortOnSignals(undefined, 'stopping the agents, keeping finished attempts');
  let results: ResultsDocument;
  let layout;
  let harnessErrors: number;
  try {
    ({ results, layout, harnessErrors } = await runEval({
      ...options,
      signal: deps.signal ?? (interrupts as { signal: AbortSignal }).signal,
      write: io.stderr,
    }));
  } finally {
    interrupts?.dispose();
  }
  if (format === 'text') {
    io.stdout(`${scoresTable(results.summary)}\n\n${outcomesTable(results.summary)}\n\n`);
    if (!results.complete)
      io.stdout(
        `partial: ${results.summary.attempts.counted} of ${results.planned} attempts finished${results.interrupted ? ' (interrupted)' : ''}\n`,
      );
    io.stdout(`${layout.resultsFile}\n${layout.reportFile}\n`);
  } else
    io.stdout(
      formatStructured(
        {
          results: layout.resultsFile,
          report: layout.reportFile,
          complete: results.complete,
          interrupted: results.interrupted,
          summary: results.summary,
        },
        format,
      ),
    );
  if (results.interrupted) return ExitCode.Interrupted;
  if (harnessErrors > 0 || results.corpusErrors.length > 0) return ExitCode.Failure;
  return ExitCode.Ok;
}
