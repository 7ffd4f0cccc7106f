import type { Command } from 'commander';
import { openBundle } from '../../bundle/bundle-reader.js';
import {
  DEFAULT_STABILITY_THRESHOLD,
  diffBundles,
  NOTABLE,
  readBundleFacts,
  renderDiff,
  type BundleDiff,
  type BundleFacts,
} from '../../compare/index.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import {
  addOutputOptions,
  formatStructured,
  outputFormat,
  type OutputCliOptions,
} from '../support/output-format.js';
import { processIo, type CommandIo } from '../support/command-io.js';

export interface DiffCliOptions extends OutputCliOptions {
  stabilityThreshold?: string;
}

export type DiffIo = Pick<CommandIo, 'stdout'>;

export function parseThreshold(text: string | undefined): number {
  if (text === undefined) return DEFAULT_STABILITY_THRESHOLD;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidInputError(`--stability-threshold must be a number from 0 to 1, got "${text}"`);
  return n;
}

/** Reads the comparable facts of a bundle directory or archive (the archive is unpacked and removed). */
export async function factsOf(path: string): Promise<BundleFacts> {
  const b = await openBundle(path);
  try {
    return await readBundleFacts(b);
  } finally {
    await b.close();
  }
}

export async function diffPaths(a: string, b: string, threshold: number): Promise<BundleDiff> {
  return diffBundles(await factsOf(a), await factsOf(b), threshold);
}

/** `bundle diff A B`: exit 0 when B reproduces A, 1 when it differs. */
export async function runDiff(
  a: string,
  b: string,
  opts: DiffCliOptions,
  io: DiffIo = processIo,
): Promise<ExitCode> {
  const format = outputFormat(opts);
  const threshold = parseThreshold(opts.stabilityThreshold);
  const d = await diffPaths(a, b, threshold);
  io.stdout(format === 'text' ? renderDiff(d) : formatStructured(d, format));
  return d.verdict === 'reproduced' ? ExitCode.Ok : ExitCode.Failure;
}

export function addDiff(bundle: Command): void {
  const command = bundle
    .command('diff')
    .summary('compare two bundles of one incident: reproduced or differs')
    .description(
      'Compare bundle B with bundle A (directories or packed): the firing alerts (by workload, background ' +
        'alerts left out), time to manifest, request rate, error ratio and p95 per service during the ' +
        'incident, event reasons, topology and root causes. B reproduces A when the corpus stability ' +
        'definition holds: Jaccard of the firing alerts >= the threshold and the same root causes.',
    )
    .argument('<a>', 'the reference bundle (the original)')
    .argument('<b>', 'the bundle compared with it (a reproduction, another repeat)')
    .option(
      '--stability-threshold <x>',
      `minimum Jaccard of the firing alerts (default ${DEFAULT_STABILITY_THRESHOLD}, as corpus run)`,
    );
  addOutputOptions(command, { jsonAlias: true, what: 'the comparison' })
    .addHelpText(
      'after',
      `
Output: the verdict line ("reproduced: ..." or "differs: ..."), then each comparison: "=" in both,
"~" an alert one fired and the other showed only at an edge of what it compares (pending at its cut,
or since before its first fault; counted as shared), "+" only in B, "-" only in A, "!" where a number moved beyond the notable thresholds (time to manifest
more than ${NOTABLE.timeToManifestMs / 1000} s and ${NOTABLE.timeToManifestShare * 100} % apart; request rate more than ${NOTABLE.rateShare * 100} % apart; error
ratio ${NOTABLE.errorRatioPoints * 100} points apart; p95 ${NOTABLE.p95Factor}x and ${NOTABLE.p95Ms} ms apart). Those are reported, the verdict is the
stability definition alone (docs/reproduce.md). -o json|yaml (--json is -o json): one document.
Pods and ReplicaSets are compared by workload (names differ per run).

Exit codes: 0 reproduced; 1 differs, or a bundle is unreadable; 2 invalid option.

Examples:
  firedrill bundle diff out/incident-3f2a9c1b7d0e out/reproduced/incident-3f2a9c1b7d0e
  firedrill bundle diff a.tar.gz b.tar.gz --json | jq .verdict`,
    )
    .action(async (a: string, b: string, opts: DiffCliOptions) => {
      const code = await runDiff(a, b, opts);
      if (code !== ExitCode.Ok) process.exitCode = code;
    });
}
