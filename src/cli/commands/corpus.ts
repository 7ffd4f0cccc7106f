import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  CorpusLayout,
  DEFAULT_STABILITY_THRESHOLD,
  mergeCorpora,
  parseShard,
  planCorpus,
  planLine,
  runCorpus,
  type CorpusIndex,
  type CorpusRunOptions,
  type RunFn,
} from '../../corpus/index.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { defaultCatalog } from '../../faults/catalog.js';
import { createLogger } from '../../logging/logger.js';
import { loadCorpusScenarios } from '../../corpus/load-corpus-scenarios.js';
import { readSecret } from '../../runner/corpus-secret.js';
import { runScenario } from '../../runner/run-scenario.js';
import type { Scenario } from '../../scenario/scenario.js';
import { createSubstrate } from '../../substrates/registry.js';
import type { Substrate } from '../../platform/substrate.js';
import { abortOnSignals } from '../support/interrupts.js';
import { referenceAgent } from '../support/reference-agent.js';
import {
  contextOption,
  kubeconfigOption,
  substrateOption,
  substrateOptionsFrom,
  needsChaosEngine,
  type SubstrateCliOptions,
} from '../support/substrate-options.js';
import { processIo, type CommandIo } from '../support/command-io.js';
import { integerOption } from '../support/integer-option.js';

export type CorpusIo = CommandIo;

export interface CorpusRunCliOptions extends SubstrateCliOptions {
  /** Required unless --plan. */
  out?: string;
  repeats: string;
  shard?: string;
  resume?: boolean;
  force?: boolean;
  only?: string[];
  plan?: boolean;
  strict?: boolean;
  failFast?: boolean;
  stabilityThreshold: string;
  seed?: string;
}

/** What the CLI wires in for real; tests pass a fake substrate and run function. */
export interface CorpusRunDeps {
  createSubstrate?: (scenarios: readonly Scenario[]) => Promise<Substrate>;
  runOne?: RunFn;
  signal?: AbortSignal;
  openRunLog?: CorpusRunOptions['openRunLog'];
  referenceAgent?: CorpusRunOptions['referenceAgent'];
}

function threshold(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidInputError(`--stability-threshold must be a number from 0 to 1, got "${text}"`);
  return n;
}

/** `--only a,b --only c` → [a, b, c]. */
function collectIds(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

function summarise(index: CorpusIndex, io: CorpusIo): { invalid: number; failed: number } {
  const rows = index.rows;
  const valid = rows.filter((r) => r.valid).length;
  const failed = rows.filter((r) => r.status === 'failed' || r.error !== null).length;
  io.stderr(
    `firedrill: ${rows.length} task(s), ${valid} valid (${rows.length ? Math.round((100 * valid) / rows.length) : 0} %)${failed ? `, ${failed} run(s) failed` : ''}\n`,
  );
  for (const r of rows.filter((x) => x.status === 'complete' && x.error !== null))
    io.stderr(`firedrill: run error: ${r.bundleId} (${r.scenarioId}, repeat ${r.repeat}): ${r.error}\n`);
  for (const r of rows.filter((x) => !x.valid)) {
    const why =
      r.status === 'failed'
        ? `run failed: ${r.error ?? ''}`
        : r.failedChecks.map((c) => `${c}: ${r.checks[c]?.detail ?? ''}`).join('; ');
    io.stderr(`firedrill: invalid: ${r.bundleId} (${r.scenarioId}, repeat ${r.repeat}): ${why}\n`);
  }
  return { invalid: rows.length - valid, failed };
}

export async function corpusRunCommand(
  paths: readonly string[],
  o: CorpusRunCliOptions,
  io: CorpusIo = processIo,
  deps: CorpusRunDeps = {},
): Promise<ExitCode> {
  const logger = createLogger();
  const { name: substrateName, options: substrateOptions } = substrateOptionsFrom(o, logger);
  const repeats = integerOption(o.repeats, '--repeats', 1);
  const shard = o.shard !== undefined ? parseShard(o.shard) : undefined;
  const seed = o.seed !== undefined ? integerOption(o.seed, '--seed', 0) : undefined;
  const stabilityThreshold = threshold(o.stabilityThreshold);
  if (o.resume && o.force)
    throw new InvalidInputError('--resume and --force contradict each other; choose one');
  const { runnable: scenarios, skipped } = await loadCorpusScenarios(paths, substrateName);
  for (const s of skipped)
    io.stderr(
      `firedrill: skipping ${s.metadata.id} (${s.sourceFile}): it runs on ${s.spec.substrates.join(', ')}, not ${substrateName}\n`,
    );
  const notHere = (o.only ?? []).filter((id) => skipped.some((s) => s.metadata.id === id));
  if (notHere.length > 0)
    throw new InvalidInputError(
      `--only names ${notHere.join(', ')}, which cannot run on the ${substrateName} substrate`,
    );
  if (o.plan) {
    // Bundle ids need the corpus secret: an existing corpus's (or $FIREDRILL_CORPUS_SECRET); a plan
    // creates nothing, so before the first run the ids print as null.
    const secret = o.out
      ? await readSecret(new CorpusLayout(resolve(o.out)).secretFile)
      : await readSecret(undefined);
    for (const r of planCorpus(scenarios, { repeats, only: o.only, shard, seed, secret }))
      io.stdout(`${planLine(r)}\n`);
    return ExitCode.Ok;
  }

  if (!o.out) throw new InvalidInputError('--out <dir> is required (only --plan runs without it)');
  const outDir = resolve(o.out);
  const interrupts = deps.signal ? null : abortOnSignals();
  try {
    const result = await runCorpus({
      scenarios,
      outDir,
      repeats,
      only: o.only,
      shard,
      seed,
      resume: o.resume,
      force: o.force,
      failFast: o.failFast,
      stabilityThreshold,
      substrateName,
      createSubstrate:
        deps.createSubstrate ??
        ((left) =>
          createSubstrate(substrateName, { ...substrateOptions, chaosEngine: needsChaosEngine(left) })),
      runOne: deps.runOne ?? ((req) => runScenario(req)),
      registry: defaultCatalog(),
      signal: deps.signal ?? (interrupts as { signal: AbortSignal }).signal,
      write: io.stderr,
      openRunLog: deps.openRunLog,
      referenceAgent: deps.referenceAgent ?? referenceAgent,
    });
    const layout = new CorpusLayout(outDir);
    io.stdout(`${layout.indexFile}\n${layout.reportFile}\n`);
    const { invalid } = summarise(result.index, io);
    if (result.failed > 0) return ExitCode.Failure;
    return o.strict && invalid > 0 ? ExitCode.Failure : ExitCode.Ok;
  } finally {
    interrupts?.dispose();
  }
}

export interface CorpusMergeCliOptions {
  out: string;
  move?: boolean;
  strict?: boolean;
  stabilityThreshold: string;
}

export async function corpusMergeCommand(
  dirs: readonly string[],
  o: CorpusMergeCliOptions,
  io: CorpusIo = processIo,
): Promise<ExitCode> {
  const result = await mergeCorpora({
    shardDirs: dirs,
    outDir: o.out,
    move: o.move,
    stabilityThreshold: threshold(o.stabilityThreshold),
    write: io.stderr,
    referenceAgent,
  });
  const layout = new CorpusLayout(resolve(o.out));
  io.stdout(`${layout.indexFile}\n${layout.reportFile}\n`);
  io.stderr(
    `firedrill: merged ${dirs.length} director${dirs.length === 1 ? 'y' : 'ies'}: ${result.added} bundle(s) added, ${result.duplicates} identical duplicate(s) kept once\n`,
  );
  const { invalid } = summarise(result.index, io);
  return o.strict && invalid > 0 ? ExitCode.Failure : ExitCode.Ok;
}

const RUN_HELP = `
Layout of --out:
  bundles/<bundleId>/            bundles (opaque, deterministic ids: same scenario, seed, repeat → same id)
  bundles/<bundleId>.log.ndjson  JSON run log beside each bundle, ending with the run's outcome
  packed/<bundleId>.tar.gz       every bundle packed deterministically
  corpus/index.json              one row per bundle: checks, timings, sizes, sha256 of the packed bundle
  corpus/report.md               per-scenario tables and corpus totals

Checks (recorded in each manifest's "checks" and in the index; docs/corpus.md has the exact rules):
  manifested   the expected alerts fired (time from injection to firing in the index)
  observable   every root cause (or an alias) appears in the snapshot's evidence after the injection:
               alert labels, an event, a trouble log line, an error span, or a metric that moved
               beyond its warm-up baseline (mean shift > 3 sd and > 50 % of the baseline mean)
  leakFree     the snapshot names neither the fault, the scenario nor the testbed
  stable       across the repeats of a scenario, firing alerts agree (pairwise Jaccard >=
               --stability-threshold) and the root causes are identical

Sharding: --shard i/n takes every n-th run (round-robin over the runs in the corpus secret's order),
so n jobs with the same arguments and $FIREDRILL_CORPUS_SECRET cover every run exactly once; merge
their outputs with "firedrill corpus merge".

Output: stdout: the index and report paths; stderr: progress (scenario i/n, repeat, phase, elapsed,
time left) and a summary naming every invalid task and why.

Exit codes:
  0    every planned run produced a bundle (with --strict: and every check passed)
  1    a run failed (recorded in the index, the corpus went on), or --strict and a check failed
  2    invalid scenario or option, or another corpus run is writing --out; nothing was started
  4    a prerequisite is missing;  5  the substrate could not be brought up
  130  interrupted: the current run's faults recovered, complete bundles indexed; --resume continues

Examples:
  firedrill corpus run scenarios/shop --repeats 2 --out out/corpus
  firedrill corpus run scenarios/shop --plan --shard 2/3
  firedrill corpus run scenarios/shop --repeats 3 --shard 1/3 --out shard-1 --resume
  firedrill corpus run scenarios/shop --only payment-latency,cart-memory-leak --out /tmp/c --strict`;

const MERGE_HELP = `
Every bundle of every shard is verified first; a bundle id present in two shards must hold the same
run with byte-identical files (checks may differ), otherwise nothing is merged and every conflict is
listed. Bundles are copied (--move: moved) into <out>/bundles/, then the checks are recomputed over
the whole corpus (stability now sees the repeats of every shard), every bundle is packed and
<out>/corpus/index.json and report.md are written. Run timings come from the shards' indexes.

Output: stdout: the merged index and report paths (<out>/corpus/index.json, <out>/corpus/report.md);
stderr: what was merged and a summary naming every invalid task and why.

Exit codes: 0 merged; 1 a bundle does not verify, conflicting duplicates, or --strict and a check failed;
2 bad option.

Example:
  firedrill corpus merge shard-1 shard-2 shard-3 --out corpus`;

export function register(program: Command): void {
  const corpus = program
    .command('corpus')
    .summary('run many scenarios × repeats into a checked, indexed corpus; merge shards')
    .description(
      'Build a benchmark corpus: every scenario × repeat on one substrate brought up once, sharded across ' +
        'CI jobs, resumable, each bundle checked (manifested, observable, leak-free, stable), packed and indexed.',
    )
    .addHelpText(
      'after',
      `
Output and exit codes: those of the subcommand (firedrill corpus <subcommand> --help); without one,
this help on stderr and exit code 2.`,
    );
  corpus
    .command('run')
    .summary('run scenarios × repeats into <out> and index them')
    .description(
      'Run every scenario (files, or directories searched for *.yaml) --repeats times on one substrate, in a ' +
        'stable order (shuffled by the corpus secret), into <out>/bundles; then check every bundle, pack it and write ' +
        '<out>/corpus/index.json and report.md. The substrate is brought up once and reset between runs.',
    )
    .argument('<scenarios...>', 'scenario files, or directories searched for *.yaml')
    .option(
      '--out <dir>',
      'corpus directory (bundles/, packed/, corpus/ are created in it); required unless --plan',
    )
    .addOption(substrateOption())
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .option('--repeats <n>', 'runs per scenario', '1')
    .option('--shard <i/n>', 'run only shard i of n (1-based, round-robin over the sorted runs)')
    .option('--resume', 'keep complete, verified bundles; redo half-written or damaged ones')
    .option('--force', 'redo planned bundles that already exist')
    .option('--only <ids>', 'only these scenario ids (comma-separated, repeatable)', collectIds)
    .option(
      '--plan',
      'print one JSON line per planned run (scenarioId, repeat, seed, bundleId, shard) and exit',
    )
    .option('--strict', 'exit 1 when any task fails a check')
    .option('--fail-fast', 'stop at the first failed run instead of recording it and going on')
    .option(
      '--stability-threshold <x>',
      'minimum pairwise Jaccard of firing alerts across repeats',
      String(DEFAULT_STABILITY_THRESHOLD),
    )
    .option('--seed <n>', "override every scenario's load seed (changes the bundle ids)")
    .addHelpText('after', RUN_HELP)
    .action(async (paths: string[], o: CorpusRunCliOptions) => {
      const code = await corpusRunCommand(paths, o);
      if (code !== ExitCode.Ok) process.exitCode = code;
    });
  corpus
    .command('merge')
    .summary('join the outputs of several corpus shards into one corpus')
    .description('Join the --out directories of several `corpus run --shard` jobs into one corpus in --out.')
    .argument('<shard-dirs...>', 'output directories of corpus run')
    .requiredOption('--out <dir>', 'merged corpus directory (may already hold a corpus)')
    .option('--move', 'move bundles out of the shard directories instead of copying them')
    .option('--strict', 'exit 1 when any task fails a check')
    .option(
      '--stability-threshold <x>',
      'minimum pairwise Jaccard of firing alerts across repeats',
      String(DEFAULT_STABILITY_THRESHOLD),
    )
    .addHelpText('after', MERGE_HELP)
    .action(async (dirs: string[], o: CorpusMergeCliOptions) => {
      const code = await corpusMergeCommand(dirs, o);
      if (code !== ExitCode.Ok) process.exitCode = code;
    });
}
