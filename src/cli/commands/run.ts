import { access, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ExitCode } from '../../errors/exit-codes.js';
import { FiredrillError } from '../../errors/firedrill-error.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { defaultCatalog } from '../../faults/catalog.js';
import { createLogger } from '../../logging/logger.js';
import { bundleIdFor } from '../../runner/bundle-id.js';
import { loadRunnable } from '../../runner/load-runnable.js';
import { loadOrCreateSecret } from '../../runner/corpus-secret.js';
import { fileRunLog, type RunLog } from '../../runner/run-log.js';
import { runScenario, type RunOutcome } from '../../runner/run-scenario.js';
import { runSeries, type RunFn, type SeriesResult } from '../../runner/run-series.js';
import type { Substrate } from '../../platform/substrate.js';
import { createSubstrate } from '../../substrates/registry.js';
import { abortOnSignals } from '../support/interrupts.js';
import {
  addOutputOptions,
  outputFormat,
  printStructured,
  type OutputCliOptions,
} from '../support/output-format.js';
import { integerOption } from '../support/integer-option.js';
import { StderrProgress } from '../support/progress.js';
import {
  contextOption,
  kubeconfigOption,
  substrateOption,
  substrateOptionsFrom,
  needsChaosEngine,
  substratesHelp,
  type SubstrateCliOptions,
} from '../support/substrate-options.js';
import { processIo, type CommandIo } from '../support/command-io.js';

export interface RunCommandOptions extends SubstrateCliOptions, OutputCliOptions {
  out: string;
  seed?: string;
  repeats: string;
  keepUp?: boolean;
  force?: boolean;
}

export { loadRunnable, bundleIdFor };

/** Where `firedrill run` keeps the secret its bundle ids are keyed with (corpora keep theirs in corpus/). */
export const RUN_SECRET_FILE = '.corpus-secret';

/** `run -o json|yaml`: printed once at the end, whatever the exit code, after the runs that took place. */
export interface RunSummary {
  substrate: string;
  outDir: string;
  /** Runs planned (scenarios × repeats); a failure or an interrupt leaves some not run. */
  planned: number;
  interrupted: boolean;
  runs: RunRecord[];
}

export interface RunRecord {
  scenario: string;
  file: string;
  repeat: number;
  seed: number;
  bundleId: string;
  ok: boolean;
  /** Null when the run failed before its bundle was written. */
  bundleDir: string | null;
  /** The expected alerts fired; null when the run failed. */
  manifested: boolean | null;
  firedAlerts: string[];
  /** Milliseconds per phase (reset, warmup, inject, wait, capture, commit, recover). */
  timings: RunOutcome['timings'];
  overheadMs: number | null;
  leaks: number | null;
  error: string | null;
}

export function runRecord(r: SeriesResult, outDir: string): RunRecord {
  const base = {
    scenario: r.run.scenario.metadata.id,
    file: r.run.scenario.sourceFile,
    repeat: r.run.repeat,
    seed: r.run.seed,
    bundleId: r.run.bundleId,
  };
  if (r.ok)
    return {
      ...base,
      ok: true,
      bundleDir: r.outcome.bundleDir,
      manifested: r.outcome.manifested,
      firedAlerts: r.outcome.firedAlerts,
      timings: r.outcome.timings,
      overheadMs: r.outcome.overheadMs,
      leaks: r.outcome.leaks,
      error: null,
    };
  return {
    ...base,
    ok: false,
    bundleDir: r.committed ? join(outDir, r.run.bundleId) : null,
    manifested: null,
    firedAlerts: [],
    timings: {},
    overheadMs: null,
    leaks: null,
    error: r.error instanceof Error ? r.error.message : String(r.error),
  };
}

export type RunIo = CommandIo;

/** What the CLI wires in for real; tests pass a fake substrate and run function. */
export interface RunDeps {
  createSubstrate?: () => Promise<Substrate>;
  runOne?: RunFn;
  signal?: AbortSignal;
  openRunLog?: (file: string, bindings: Record<string, unknown>) => RunLog;
}

export async function runCommand(
  paths: readonly string[],
  o: RunCommandOptions,
  io: RunIo = processIo,
  deps: RunDeps = {},
): Promise<number> {
  const format = outputFormat(o);
  const logger = createLogger();
  const { name: substrateName, options: substrateOptions } = substrateOptionsFrom(o, logger);
  const repeats = integerOption(o.repeats, '--repeats', 1);
  const seedOverride = o.seed !== undefined ? integerOption(o.seed, '--seed', 0) : undefined;
  const scenarios = await loadRunnable(paths, substrateName);
  const outDir = resolve(o.out);
  await mkdir(outDir, { recursive: true });
  const secret = await loadOrCreateSecret(join(outDir, RUN_SECRET_FILE));

  const plan = scenarios.flatMap((s) =>
    Array.from({ length: repeats }, (_, r) => {
      const seed = seedOverride ?? s.spec.seed;
      return { scenario: s, repeat: r, seed, bundleId: bundleIdFor(secret, s.metadata.id, seed, r) };
    }),
  );
  if (!o.force) {
    for (const p of plan) {
      const exists = await access(join(outDir, p.bundleId)).then(
        () => true,
        () => false,
      );
      if (exists)
        throw new InvalidInputError(
          `${join(outDir, p.bundleId)} already exists; pass --force to replace it or choose another --out`,
        );
    }
  }

  const progress = new StderrProgress(io.stderr);
  const interrupts = deps.signal ? { signal: deps.signal, dispose: () => undefined } : abortOnSignals();
  const outcomes: RunOutcome[] = [];
  const records: RunRecord[] = [];
  let failure: unknown = null;
  try {
    const series = await runSeries({
      runs: plan,
      outDir,
      createSubstrate:
        deps.createSubstrate ??
        (() =>
          createSubstrate(substrateName, { ...substrateOptions, chaosEngine: needsChaosEngine(scenarios) })),
      runOne: deps.runOne ?? runScenario,
      registry: defaultCatalog(),
      secret,
      signal: interrupts.signal,
      replace: o.force,
      stopOnFailure: true,
      openRunLog: (run) =>
        (deps.openRunLog ?? fileRunLog)(join(outDir, `${run.bundleId}.log.ndjson`), {
          bundleId: run.bundleId,
          scenario: run.scenario.metadata.id,
        }),
      progress: progress.forSeries(
        (run, i, total) => `${run.scenario.metadata.id} (${i + 1}/${total}, repeat ${run.repeat}) `,
      ),
      onResult: (r) => {
        records.push(runRecord(r, outDir));
        if (!r.ok) {
          failure = r.error;
          return;
        }
        outcomes.push(r.outcome);
        // text: one path per line as each run ends (`make demo` takes the last with tail -n 1)
        if (format === 'text') io.stdout(`${r.outcome.bundleDir}\n`);
        progress.phase(
          'done',
          r.outcome.manifested
            ? r.outcome.bundleDir
            : `incident did not manifest (${r.outcome.firedAlerts.join(', ') || 'no alerts fired'})`,
        );
      },
      beforeDown: o.keepUp
        ? async (substrate) => {
            progress.prefix = '';
            const ep = substrate.endpoints?.() ?? {};
            progress.phase(
              'up',
              `kept up until Ctrl-C: ${Object.entries(ep)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')}`,
            );
            await new Promise<void>((r) =>
              interrupts.signal.addEventListener('abort', () => r(), { once: true }),
            );
          }
        : undefined,
    });
    if (series.interrupted !== null) throw series.interrupted;
  } catch (err) {
    if (interrupts.signal.aborted)
      throw new FiredrillError(
        'interrupted: faults recovered, processes stopped, no partial bundle left',
        ExitCode.Interrupted,
        { cause: err },
      );
    throw err;
  } finally {
    interrupts.dispose();
    if (format !== 'text')
      printStructured(
        {
          substrate: substrateName,
          outDir,
          planned: plan.length,
          interrupted: interrupts.signal.aborted,
          runs: records,
        } satisfies RunSummary,
        format,
        io.stdout,
      );
  }
  if (failure !== null) throw failure;
  return outcomes.every((x) => x.manifested) ? ExitCode.Ok : ExitCode.NotManifested;
}

export function register(program: Command): void {
  const run = program
    .command('run')
    .summary('stage scenarios and capture each incident into a bundle')
    .description(
      'Bring up the substrate, deploy the shop and its observability stack, and for each scenario (× repeats): ' +
        'warm up under load, inject the faults, wait for the expected alerts, capture the incident window into a ' +
        'bundle with its ground truth, recover, and check health. Every scenario is validated before anything starts.',
    )
    .argument('<scenarios...>', 'scenario files, or directories searched for *.yaml')
    .addOption(substrateOption())
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .option('--out <dir>', 'directory the bundles are written to', 'out')
    .option('--seed <n>', "override every scenario's load seed")
    .option('--repeats <n>', 'runs per scenario', '1')
    .option('--force', 'replace bundles that already exist')
    .option(
      '--keep-up',
      'leave the substrate up after the last run until Ctrl-C (prints Prometheus/Alertmanager URLs)',
    );
  addOutputOptions(run, { what: 'the summary of the runs' })
    .addHelpText(
      'after',
      `
Output:
  stdout  each bundle's directory, one per line, as each run ends
          -o json|yaml: instead, at the end (also after a failure or an interrupt), one document
          {substrate, outDir, planned, interrupted, runs[{scenario, file, repeat, seed, bundleId, ok,
          bundleDir, manifested, firedAlerts, timings, overheadMs, leaks, error}]}
  stderr  progress: [elapsed] scenario (i/n, repeat r) phase: what is awaited
  <out>/<bundle-id>.log.ndjson  JSON run log beside each bundle (not inside it)

Exit codes:
  0    every run manifested (its expected alerts fired) and was captured
  1    a run failed after starting (the error says where); faults were recovered
  2    invalid scenario or option; nothing was started
  3    at least one incident did not manifest (its bundle is written and marked manifested=false)
  4    a prerequisite is missing (prometheus, alertmanager, redis-server, postgres; docker/kind for --substrate kind)
  5    the substrate could not be brought up or timed out (the message names what was not ready)
  130  interrupted (Ctrl-C): faults recovered, processes stopped, no partial bundle left`,
    )
    .addHelpText('after', substratesHelp)
    .action(async (paths: string[], o: RunCommandOptions) => {
      process.exitCode = await runCommand(paths, o);
    });
}
