import { Option, type Command } from 'commander';
import { formatDrift, NOTABLE, renderDiff } from '../../compare/index.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { createLogger } from '../../logging/logger.js';
import { reproduce, type ReproduceResult } from '../../reproduce/reproduce.js';
import { fileRunLog, type RunLog } from '../../runner/run-log.js';
import { runScenario } from '../../runner/run-scenario.js';
import type { RunFn } from '../../runner/run-series.js';
import type { Substrate } from '../../platform/substrate.js';
import { createSubstrate, parseSubstrateName, SUBSTRATE_NAMES } from '../../substrates/registry.js';
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
  substrateOptionsFrom,
  substratesHelp,
} from '../support/substrate-options.js';
import { parseThreshold } from './bundle-diff.js';
import { processIo, type CommandIo } from '../support/command-io.js';

export interface ReproduceCliOptions extends OutputCliOptions {
  substrate?: string;
  kubeconfig?: string;
  context?: string;
  out: string;
  repeats: string;
  strict?: boolean;
  force?: boolean;
  scenario?: string;
  stabilityThreshold?: string;
}

export type ReproduceIo = CommandIo;

/** What the CLI wires in for real; tests pass a fake substrate and run function. */
export interface ReproduceDeps {
  createSubstrate?: (name: string) => Promise<Substrate>;
  runOne?: RunFn;
  signal?: AbortSignal;
  openRunLog?: (file: string, bindings: Record<string, unknown>) => RunLog;
  currentEnvironment?: (substrate: string) => Promise<Record<string, unknown>>;
}

/** The last line of text output: the verdict over every re-staging. */
export function summaryLine(r: ReproduceResult): string {
  const o = r.original;
  const what = `${o.bundleId} (${o.scenarioId}, seed ${o.seed}, repeat ${o.repeat}) on ${r.substrate}`;
  const n = r.runs.length;
  return `${r.verdict}: ${r.reproduced} of ${n} re-staging${n === 1 ? '' : 's'} of ${what} matched the original`;
}

export async function reproduceCommand(
  bundle: string,
  o: ReproduceCliOptions,
  io: ReproduceIo = processIo,
  deps: ReproduceDeps = {},
): Promise<number> {
  const format = outputFormat(o);
  const repeats = integerOption(o.repeats, '--repeats', 1);
  const threshold = parseThreshold(o.stabilityThreshold);
  const logger = createLogger();
  const progress = new StderrProgress(io.stderr);
  const interrupts = deps.signal ? { signal: deps.signal, dispose: () => undefined } : abortOnSignals();
  try {
    const result = await reproduce({
      bundle,
      substrate: o.substrate,
      outDir: o.out,
      repeats,
      strict: o.strict,
      force: o.force,
      scenarioFile: o.scenario,
      threshold,
      signal: interrupts.signal,
      createSubstrate:
        deps.createSubstrate ??
        ((name) => {
          const { options } = substrateOptionsFrom(
            { substrate: name, kubeconfig: o.kubeconfig, context: o.context },
            logger,
          );
          return createSubstrate(name, options);
        }),
      runOne: deps.runOne ?? runScenario,
      openRunLog: deps.openRunLog ?? fileRunLog,
      currentEnvironment: deps.currentEnvironment,
      progress: progress.forSeries(
        (run, i, total) => `${run.scenario.metadata.id} (re-staging ${i + 1}/${total}) `,
      ),
      onDrift: (drift) => {
        if (drift.length === 0) progress.phase('check', 'same versions, images and plan as recorded');
        for (const d of drift) io.stderr(`firedrill: drift: ${formatDrift(d)}\n`);
      },
      onRun: (run) => {
        if (format !== 'text') return;
        if (run.diff) io.stdout(`${renderDiff(run.diff)}\n`);
        else io.stdout(`differs: re-staging ${run.index} failed: ${run.error ?? 'unknown error'}\n\n`);
      },
    });
    if (format === 'text') io.stdout(`${summaryLine(result)}\n`);
    else printStructured(result, format, io.stdout);
    return result.verdict === 'reproduced' ? ExitCode.Ok : ExitCode.Failure;
  } finally {
    interrupts.dispose();
  }
}

export function register(program: Command): void {
  const command = program
    .command('reproduce')
    .summary("re-stage a bundle's run and say whether the incident reproduced")
    .description(
      'Re-stage the run a bundle recorded: the exact scenario it ran (truth/scenario.yaml), its seed and ' +
        'repeat, and its corpus secret (truth/recipe.json), so the window offsets, the background activity and ' +
        'the bundle id are the same. Versions and images that differ from the recorded ones are reported ' +
        'before starting. Then every new bundle is compared with the original (as `bundle diff`).',
    )
    .argument('<bundle>', 'bundle directory or packed bundle (.tar.gz)')
    .addOption(
      new Option('--substrate <name>', 'where to re-stage (default: the substrate the bundle recorded)')
        .choices(SUBSTRATE_NAMES)
        .argParser(parseSubstrateName),
    )
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .option(
      '--out <dir>',
      'directory the new bundles go to (their ids equal the original, so not its own)',
      'out/reproduced',
    )
    .option('--repeats <n>', 're-stage this many times (into <out>/1, <out>/2...)', '1')
    .option(
      '--strict',
      'refuse to start when versions, images or the drawn plan differ from the recorded run',
    )
    .option('--force', 'replace earlier reproductions in --out')
    .option(
      '--scenario <file>',
      'stage this scenario file instead of the recorded one (to see what an edit changes)',
    )
    .option('--stability-threshold <x>', 'minimum Jaccard of the firing alerts (default 0.8, as corpus run)');
  addOutputOptions(command, { what: 'the verdict and every comparison' })
    .addHelpText(
      'after',
      `
Output:
  stderr  drift (one "firedrill: drift: <what>: <recorded> recorded, <now> now" line each), then progress
  stdout  per re-staging the comparison of \`bundle diff\` (verdict line first), then one line:
          "reproduced: N of N re-stagings of <bundle> (<scenario>, seed S, repeat R) on <substrate> matched
          the original", or "differs: ..."
          -o json|yaml: one document {original, substrate, scenarioFile, drift[], runs[{index, bundleDir,
          error, diff}], reproduced, verdict}
  <out>/<bundle-id>.log.ndjson  JSON run log beside each new bundle

Reproduced means what the corpus' stable check means: the firing alerts (by workload, background alerts
left out) agree with Jaccard >= the threshold, and the root causes are the same. Time to manifest, rates,
errors, p95, events and topology are compared and marked "!" beyond the notable thresholds (time to
manifest ${NOTABLE.timeToManifestMs / 1000} s and ${NOTABLE.timeToManifestShare * 100} % apart...) without changing the verdict; docs/reproduce.md has them all.

Exit codes:
  0    every re-staging reproduced the incident
  1    at least one differs, or failed after starting
  2    invalid option, or a bundle without truth/recipe.json (written before bundles kept their recipe)
  4    a prerequisite is missing; or --strict and something drifted (nothing was started)
  5    the substrate could not be brought up
  130  interrupted (Ctrl-C): faults recovered, processes stopped

Examples:
  firedrill reproduce out/incident-3f2a9c1b7d0e --out out/reproduced
  firedrill reproduce task.tar.gz --repeats 3 --strict
  firedrill reproduce out/incident-3f2a9c1b7d0e --scenario edited.yaml --out /tmp/what-if`,
    )
    .addHelpText('after', substratesHelp)
    .action(async (bundle: string, o: ReproduceCliOptions) => {
      process.exitCode = await reproduceCommand(bundle, o);
    });
}
