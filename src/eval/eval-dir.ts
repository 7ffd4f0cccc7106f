import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { UnreadableInputError } from '../errors/unreadable-input-error.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import {
  AttemptRecordSchema,
  counts,
  EvalConfigSchema,
  SAME_RUN_FIELDS,
  type AttemptRecord,
  type EvalConfig,
} from './records.js';

/**
 * An eval's directory (`--out`):
 *
 * ```
 * eval.json         how it was run (EvalConfig); resume and merge check it
 * attempts.ndjson   one line per finished attempt, appended and synced as each ends
 * results.json      every attempt and the summary; rewritten at the end (marked when interrupted)
 * report.md         the same for people
 * answers/<bundleId>/<attempt>.json   each answer as the agent wrote it
 * ```
 */
export class EvalLayout {
  constructor(readonly root: string) {}
  get configFile(): string {
    return join(this.root, 'eval.json');
  }
  get attemptsFile(): string {
    return join(this.root, 'attempts.ndjson');
  }
  get resultsFile(): string {
    return join(this.root, 'results.json');
  }
  get reportFile(): string {
    return join(this.root, 'report.md');
  }
  get answersDir(): string {
    return join(this.root, 'answers');
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await open(path, 'r').then((h) => h.close());
    return true;
  } catch {
    return false;
  }
}

export async function readEvalConfig(file: string): Promise<EvalConfig> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InvalidInputError(`${file} does not exist: not an eval directory`);
    throw new UnreadableInputError(file, (err as Error).message, { cause: err });
  }
  const r = EvalConfigSchema.safeParse(doc);
  if (!r.success)
    throw new UnreadableInputError(
      file,
      r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  return r.data;
}

/** Every well-formed line; a torn last line (a crash mid-write) is skipped with a warning. */
export async function readAttempts(file: string, warnings: string[] = []): Promise<AttemptRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UnreadableInputError(file, (err as Error).message, { cause: err });
  }
  const out: AttemptRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      warnings.push(`${file}:${i + 1}: not JSON (a write cut short?); that attempt is run again`);
      return;
    }
    const r = AttemptRecordSchema.safeParse(doc);
    if (r.success) out.push(r.data);
    else warnings.push(`${file}:${i + 1}: not an attempt record; ignored`);
  });
  return out;
}

/** Fields of two configs that differ where attempts must have been run alike. */
export function configDifferences(a: EvalConfig, b: EvalConfig): string[] {
  return SAME_RUN_FIELDS.filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f])).map(
    (f) => `${f}: ${JSON.stringify(a[f])} vs ${JSON.stringify(b[f])}`,
  );
}

export interface OpenedEvalDir {
  layout: EvalLayout;
  /** Finished attempts kept from before (`--resume`). */
  kept: AttemptRecord[];
  warnings: string[];
  log: AttemptLog;
}

/**
 * Prepares `--out` for a run. An eval already there is an error unless `--resume` (its counted
 * attempts are kept when it was run the same way; interrupted and harness-error ones are dropped, to
 * be run again) or `--force` (everything of it is removed).
 */
export async function openEvalDir(
  root: string,
  config: EvalConfig,
  opts: { resume?: boolean; force?: boolean },
): Promise<OpenedEvalDir> {
  const layout = new EvalLayout(root);
  await mkdir(root, { recursive: true });
  const warnings: string[] = [];
  const present = (await exists(layout.configFile)) || (await exists(layout.attemptsFile));
  let kept: AttemptRecord[] = [];
  let createdAt = config.createdAt;
  if (present && opts.force) {
    for (const p of [
      layout.configFile,
      layout.attemptsFile,
      layout.resultsFile,
      layout.reportFile,
      layout.answersDir,
    ])
      await rm(p, { recursive: true, force: true });
  } else if (present && opts.resume) {
    if (await exists(layout.configFile)) {
      const before = await readEvalConfig(layout.configFile);
      const diff = configDifferences(before, config);
      if (diff.length > 0)
        throw new InvalidInputError(
          [
            `--resume: ${root} was run differently; its attempts cannot be mixed with these (or use --force):`,
            ...diff.map((d) => `  ${d}`),
          ].join('\n'),
        );
      if (before.corpus !== config.corpus)
        warnings.push(
          `--resume: the corpus was ${before.corpus}, now ${config.corpus}; attempts matched by bundle id`,
        );
      createdAt = before.createdAt;
    }
    kept = (await readAttempts(layout.attemptsFile, warnings)).filter((a) => counts(a.outcome));
    const seen = new Set<string>();
    kept = kept.filter((a) => (seen.has(a.key) ? false : (seen.add(a.key), true)));
  } else if (present) {
    throw new InvalidInputError(
      `${root} holds an eval already (${layout.configFile}); --resume to continue it, --force to start over`,
    );
  }
  writeFileAtomic(layout.configFile, `${JSON.stringify({ ...config, createdAt }, null, 2)}\n`);
  // Compacted: what is dropped is run again and must not appear twice.
  writeFileAtomic(layout.attemptsFile, kept.map((a) => `${JSON.stringify(a)}\n`).join(''));
  const log = await AttemptLog.open(layout.attemptsFile);
  return { layout, kept, warnings, log };
}

/** Appends one line per attempt and syncs it, so a killed eval loses at most the attempts running. */
export class AttemptLog {
  private chain: Promise<void> = Promise.resolve();

  private constructor(private readonly handle: FileHandle) {}

  static async open(file: string): Promise<AttemptLog> {
    return new AttemptLog(await open(file, 'a'));
  }

  append(record: AttemptRecord): Promise<void> {
    const next = this.chain.then(async () => {
      await this.handle.write(`${JSON.stringify(record)}\n`);
      await this.handle.datasync();
    });
    // One failed write must not wedge every later one; the caller sees this one's error.
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle.close();
  }
}
