import type { Command } from 'commander';
import { ExitCode, InvalidInputError } from '../../errors/index.js';
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
import {
  addOutputOptions,
  formatStructured,
  outputFormat,
  type OutputCliOptions,
} from '../support/output-format.js';

export interface GradeOptions extends OutputCliOptions {
  truth?: string;
  answer?: string;
  corpus?: string;
  answers?: string;
}

export interface GradeIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: GradeIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

const HELP_AFTER = `
Answer format (JSON, ranked, first = most likely):
  {"entities": ["shop/Deployment/payment", {"name": "shop/Pod/payment-0"}, ...]}
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

Exit codes: 0 graded; 1 a truth file unreadable (corpus: some bundles not graded); 2 bad usage.
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

  if (corpus) {
    if (opts.corpus === undefined || opts.answers === undefined)
      throw new InvalidInputError('grade: --corpus and --answers go together');
    const result = await gradeCorpus(opts.corpus, opts.answers);
    result.warnings.forEach(warn);
    for (const e of result.errors) io.stderr(`firedrill: ${e}\n`);
    io.stdout(format === 'text' ? formatCorpus(result) : formatStructured(corpusToJson(result), format));
    return result.errors.length > 0 ? ExitCode.Failure : ExitCode.Ok;
  }

  if (opts.truth === undefined || opts.answer === undefined)
    throw new InvalidInputError(
      'grade: needs --truth <bundle|.tar.gz|ground_truth.json> and --answer <file> (or --corpus and --answers)',
    );
  const loaded = await loadTruth(opts.truth);
  const answer = await readAnswerFile(opts.answer);
  const score = scoreAnswer(loaded.truth, answer);
  score.warnings.unshift(...loaded.warnings);
  score.warnings.forEach(warn);
  io.stdout(format === 'text' ? formatScore(score) : formatStructured(scoreToJson(score), format));
  return ExitCode.Ok;
}
