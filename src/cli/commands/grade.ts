import type { Command } from 'commander';
import { ExitCode, IntegrityError, InvalidInputError } from '../../errors/index.js';
import {
  corpusToJson,
  formatCorpus,
  formatScore,
  gradeCorpus,
  loadTruth,
  readAnswerFile,
  scoreAnswer,
  scoreToJson,
} from '../../grade/index.js';
import { escapeStrings } from '../../util/escape-text.js';
import {
  addOutputOptions,
  formatStructured,
  outputFormat,
  type OutputCliOptions,
} from '../support/output-format.js';
import { processIo, type CommandIo } from '../support/command-io.js';

export interface GradeOptions extends OutputCliOptions {
  truth?: string;
  answer?: string;
  corpus?: string;
  answers?: string;
  /** commander's --no-verify: false skips checking truths against their manifests and the index. */
  verify?: boolean;
  index?: string;
}

export type GradeIo = CommandIo;

const HELP_AFTER = `
Answer format (JSON, ranked, first = most likely):
  {"entities": ["shop/Deployment/payment", {"name": "shop/Pod/payment-5f6d7c8b94-h8j2k"}, ...]}
  Ids are namespace/Kind/name (cluster-scoped: Kind/name); kinds may be written as kubectl accepts
  them (deploy, Deployments, svc...). Objects may carry "name" or "id"; objects with
  "contributing_factor": false are skipped.

Scores:
  apFullRecall  average precision at full recall (headline): 0 unless every root cause is matched,
                else the mean over root causes of precision@k at the rank k where each is first matched
  precisionAtFullRecall  ITBench-AA's rule, order-free: 0 unless every root cause is matched, else
                the share of distinct predictions that are right
  precision, recall, f1  over distinct predictions;  AC@1..5  1 if all root causes are in the top k
  A prediction matches a root cause when it equals its id or one of its aliases; repeats never count twice.

Corpus mode grades every bundle under --corpus against <answers>/<bundleId>/<repeat>.json, else
<answers>/<bundleId>.json; scores are averaged over repeats per task (scenario), then over tasks.
A missing, empty or malformed answer scores 0 with a warning on stderr.

Integrity: the ground truth (and the manifest it is read with) must match the bundle's manifest, and
in corpus mode each manifest must match the root digest the corpus index pins (--index, or
<corpus>/corpus/index.json, <corpus>/../corpus/index.json when present); a mismatch is refused, naming
the file. --no-verify skips both checks, for authors grading a bundle they are editing by hand.
Answers are read as regular files only (no links, FIFOs or devices), at most 8 MiB; the first 1000
ranked entities are graded, the rest ignored with a warning; at most 20 warnings are listed per answer.

Examples:
  firedrill grade --truth bundles/checkout-latency-r0 --answer out/answer.json
  firedrill grade --truth ground_truth.json --answer answer.json -o json
  firedrill grade --corpus bundles/ --answers runs/gpt/ -o json > scores.json

Output:
  stdout  text: a table of the metrics, then matched (with rank) and unmatched root causes;
          corpus: one row per task and the corpus mean
          -o json|yaml (--json is -o json): {apFullRecall, precisionAtFullRecall, precision, recall,
          f1, acAt, matched, unmatched, warnings}; corpus: the corpus metrics, tasks[] with their runs[], warnings, errors
  stderr  warnings (a missing or malformed answer, unknown ids)

Exit codes: 0 graded; 1 a truth file unreadable or not matching its manifest (corpus: some bundles
not graded); 2 bad usage.
See docs/grading.md for the exact definitions.
`;

export function register(program: Command): void {
  const grade = program
    .command('grade')
    .summary('score an answer (or a corpus of answers) against bundle ground truth')
    .description(
      'Score ranked root-cause answers against the ground truth of a snapshot bundle: average precision ' +
        'at full recall (headline), set precision/recall/F1 and AC@1..5. Either --truth with --answer, ' +
        'or --corpus with --answers.',
    )
    .option('--truth <path>', 'bundle directory, packed bundle (.tar.gz) or ground_truth.json')
    .option('--answer <file>', 'answer JSON file, {"entities": [...]}')
    .option('--corpus <dir>', 'directory of bundles (searched a few levels deep) to grade as a corpus')
    .option(
      '--answers <dir>',
      'corpus mode: directory of <bundleId>.json or <bundleId>/<repeat>.json answers',
    )
    .option('--index <file>', 'corpus mode: the corpus index whose root digests pin the bundles')
    .option(
      '--no-verify',
      'grade truths without checking them against their manifests (hand-edited bundles)',
    );
  addOutputOptions(grade, { jsonAlias: true, what: 'the scores' })
    .addHelpText('after', HELP_AFTER)
    .action(async (opts: GradeOptions) => {
      const code = await runGrade(opts);
      if (code !== ExitCode.Ok) process.exitCode = code;
    });
}

/** The command body, separate from commander so tests can call it with captured output. */
export async function runGrade(opts: GradeOptions, io: GradeIo = processIo): Promise<ExitCode> {
  const single = opts.truth !== undefined || opts.answer !== undefined;
  const corpus = opts.corpus !== undefined || opts.answers !== undefined;
  if (single && corpus)
    throw new InvalidInputError('grade: use either --truth/--answer or --corpus/--answers, not both');
  const format = outputFormat(opts);
  const warn = (w: string): void => io.stderr(`firedrill: warning: ${w}\n`);
  const verify = opts.verify !== false;
  if (opts.index !== undefined && !corpus) throw new InvalidInputError('grade: --index goes with --corpus');

  if (corpus) {
    if (opts.corpus === undefined || opts.answers === undefined)
      throw new InvalidInputError('grade: --corpus and --answers go together');
    // input text (ids, file names, answer excerpts) is escaped before any of it reaches a terminal
    const result = escapeStrings(
      await gradeCorpus(opts.corpus, opts.answers, { verify, indexFile: opts.index }),
    );
    result.warnings.forEach(warn);
    for (const e of result.errors) io.stderr(`firedrill: ${e}\n`);
    io.stdout(format === 'text' ? formatCorpus(result) : formatStructured(corpusToJson(result), format));
    return result.errors.length > 0 ? ExitCode.Failure : ExitCode.Ok;
  }

  if (opts.truth === undefined || opts.answer === undefined)
    throw new InvalidInputError(
      'grade: needs --truth <bundle|.tar.gz|ground_truth.json> and --answer <file> (or --corpus and --answers)',
    );
  let loaded;
  try {
    loaded = await loadTruth(opts.truth, { verify });
  } catch (err) {
    if (err instanceof IntegrityError)
      throw new IntegrityError(
        err.file,
        `${err.message.slice(err.file.length + 2)}; --no-verify grades it anyway`,
      );
    throw err;
  }
  const answer = await readAnswerFile(opts.answer);
  const raw = scoreAnswer(loaded.truth, answer);
  raw.warnings.unshift(...loaded.warnings);
  const score = escapeStrings(raw);
  score.warnings.forEach(warn);
  io.stdout(format === 'text' ? formatScore(score) : formatStructured(scoreToJson(score), format));
  return ExitCode.Ok;
}
