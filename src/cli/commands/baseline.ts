import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { explainJson, explainText } from '../../../agents/reference/explain.js';
import { runAgent } from '../../../agents/reference/run-agent.js';
import { openBundle, SNAPSHOT_DIR, type BundleHandle } from '../../bundle/index.js';
import { ExitCode, InvalidInputError, UnreadableInputError } from '../../errors/index.js';
import { processIo, type CommandIo } from '../support/command-io.js';

export interface BaselineOptions {
  explain?: boolean;
  json?: boolean;
}

export type BaselineIo = CommandIo;

/** Files whose presence makes a directory a snapshot (any one of them). */
const SNAPSHOT_MARKERS = [
  'alerts.json',
  'events.ndjson',
  'logs.ndjson',
  'metrics.ndjson',
  'traces.ndjson',
  'topology.json',
  'objects.ndjson',
];

const HELP_AFTER = `
Runs the reference agent (agents/reference/) in-process on the bundle's snapshot/ directory only, never
its truth/ or manifest, and prints its ranked answer. It is the baseline every other agent is compared
with; agents/reference/README.md lists the signals it uses and how they are weighed.

Output:
  (default)   the answer, {"entities": [...]}, most likely root cause first, ready for firedrill grade
  --explain   the ranking with the evidence behind each entity (human-readable)
  --json      the ranking, every symptom and suspect found, as JSON

Examples:
  firedrill baseline out/incident-1a2b3c4d5e6f > answer.json
  firedrill baseline out/incident-1a2b3c4d5e6f.tar.gz --explain
  firedrill baseline out/incident-1a2b3c4d5e6f/snapshot --json

Exit codes: 0 answered; 2 the path does not exist or is neither a bundle nor a snapshot directory;
1 the bundle or snapshot cannot be read (a damaged archive, an unreadable directory).
`;

export function register(program: Command): void {
  program
    .command('baseline')
    .summary("rank a bundle's root causes with the rule-based reference agent")
    .description(
      "Run the reference agent on a bundle's snapshot (a bundle directory, a packed bundle or a snapshot/ " +
        'directory) and print its ranked root-cause answer, with the evidence for each entity on request.',
    )
    .argument('<path>', 'bundle directory, packed bundle (.tar.gz, .tgz, .tar) or snapshot directory')
    .option('--explain', 'print the ranking with the evidence behind each entity')
    .option('--json', 'print the ranking and all evidence as JSON')
    .addHelpText('after', HELP_AFTER)
    .action(async (path: string, opts: BaselineOptions) => {
      const code = await runBaseline(path, opts);
      if (code !== ExitCode.Ok) process.exitCode = code;
    });
}

/** The command body, separate from commander so tests can call it with captured output. */
export async function runBaseline(
  path: string,
  opts: BaselineOptions,
  io: BaselineIo = processIo,
): Promise<ExitCode> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InvalidInputError(`baseline: ${path}: no such file or directory`);
    throw new UnreadableInputError(path, (err as Error).message, { cause: err });
  }
  let bundle: BundleHandle | undefined;
  try {
    let snapshotDir: string;
    if (isDir) snapshotDir = await snapshotOf(path);
    else if (/\.(tar\.gz|tgz|tar)$/i.test(path)) {
      bundle = await openBundle(path);
      snapshotDir = join(bundle.dir, SNAPSHOT_DIR);
    } else
      throw new InvalidInputError(`baseline: ${path}: not a bundle, a packed bundle or a snapshot directory`);

    const result = await runAgent(snapshotDir);
    for (const w of result.warnings) io.stderr(`firedrill: warning: ${w}\n`);
    if (opts.json) io.stdout(`${JSON.stringify(explainJson(result), null, 2)}\n`);
    else if (opts.explain) io.stdout(explainText(result));
    else io.stdout(`${JSON.stringify(result.answer)}\n`);
    return ExitCode.Ok;
  } finally {
    await bundle?.close();
  }
}

/** A bundle directory's snapshot/, or the directory itself when it is a snapshot. */
async function snapshotOf(dir: string): Promise<string> {
  const inner = join(dir, SNAPSHOT_DIR);
  const candidates = [inner, dir];
  for (const c of candidates) {
    let names: string[];
    try {
      names = await readdir(c);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw new UnreadableInputError(c, (err as Error).message, { cause: err });
    }
    if (names.some((n) => SNAPSHOT_MARKERS.includes(n))) return c;
  }
  throw new InvalidInputError(
    `baseline: ${dir}: not a bundle or snapshot directory (no ${SNAPSHOT_DIR}/ and none of ${SNAPSHOT_MARKERS.join(', ')})`,
  );
}
