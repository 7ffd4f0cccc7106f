import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ExitCode } from '../../errors/exit-codes.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { defaultCatalog } from '../../faults/catalog.js';
import { generateScenarios } from '../../generate/generate-scenarios.js';
import { isPattern, PATTERN_IDS, PATTERNS, type Pattern } from '../../generate/patterns.js';
import { loadManifests } from '../../manifests/load-manifests.js';
import { SHOP_MANIFESTS_DIR } from '../../manifests/paths.js';
import { parseSubstrateName } from '../../substrates/registry.js';
import { processIo, type CommandIo } from '../support/command-io.js';

/** The help's pattern column: as wide as the longest name. */
const PATTERN_WIDTH = Math.max(...PATTERN_IDS.map((p) => p.length));

export interface GenerateCliOptions {
  count: string;
  seed: string;
  patterns?: string;
  substrate?: string;
  out: string;
  force?: boolean;
}

export type GenerateIo = CommandIo;

function integer(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidInputError(`${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

function patternsOf(text: string | undefined): Pattern[] {
  if (text === undefined) return [];
  const list = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = list.filter((p) => !isPattern(p));
  if (unknown.length > 0)
    throw new InvalidInputError(
      `--patterns: unknown pattern ${unknown.join(', ')}; known: ${PATTERN_IDS.join(', ')}`,
    );
  return list.filter(isPattern);
}

/** Writes the generated scenarios into `--out`, one file each; their paths on stdout. Returns the exit code. */
export async function generateCommand(o: GenerateCliOptions, io: GenerateIo = processIo): Promise<ExitCode> {
  const count = integer(o.count, '--count', 1, 1000);
  const seed = integer(o.seed, '--seed', 0, 0xffffffff);
  const patterns = patternsOf(o.patterns);
  const substrate = o.substrate !== undefined ? parseSubstrateName(o.substrate) : undefined;
  const generated = generateScenarios({
    count,
    seed,
    patterns,
    substrate,
    registry: defaultCatalog(),
    objects: await loadManifests(SHOP_MANIFESTS_DIR),
  });
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  for (const g of generated) {
    await writeFile(join(out, g.file), g.text, { flag: o.force ? 'w' : 'wx' }).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST')
          throw new InvalidInputError(
            `${join(out, g.file)} already exists; pass --force to overwrite it or choose another --out`,
          );
        throw err;
      },
    );
    io.stdout(`${join(out, g.file)}\n`);
  }
  if (generated.length < count)
    io.stderr(
      `firedrill: generated ${generated.length} of ${count}: the app offered nothing valid for some patterns${substrate ? ` on ${substrate}` : ''}\n`,
    );
  return generated.length > 0 ? ExitCode.Ok : ExitCode.Failure;
}

export function register(program: Command): void {
  program
    .command('generate')
    .summary('compose fresh scenarios from the fault catalog, the app and incident patterns')
    .description(
      'Compose new scenarios for a held-out set: each draws a pattern (round-robin over --patterns), fault ' +
        "types and their targets from the app's topology (read off its manifests), and params within each type's " +
        'ranges, then is validated as `firedrill validate` would. The same --seed gives the same files byte for ' +
        'byte; another seed a set nobody has seen. Hand the directory to `firedrill corpus run`, which keeps ' +
        'the tasks that manifest, are observable and stable.',
    )
    .requiredOption('--count <n>', 'how many scenarios (1-1000)')
    .requiredOption('--seed <n>', 'seed of the draw (0-4294967295)')
    .option('--patterns <list>', `comma-separated patterns (default all): ${PATTERN_IDS.join(', ')}`)
    .option('--substrate <name>', 'keep only scenarios that run on this substrate (e.g. local)')
    .requiredOption('--out <dir>', 'directory the scenario files are written to')
    .option('--force', 'overwrite files of the same name')
    .addHelpText(
      'after',
      `
Patterns:
${PATTERN_IDS.map((p) => `  ${p.padEnd(PATTERN_WIDTH)} ${PATTERNS[p]}`).join('\n')}

Output:
  stdout  the path of each scenario written, one per line
  stderr  a note when fewer than --count could be composed

Examples:
  firedrill generate --count 20 --seed 7 --substrate local --out heldout/
  firedrill corpus run heldout/ --repeats 2 --out heldout-corpus

Exit codes:
  0  scenarios written
  1  none could be composed
  2  invalid option, or a file exists (without --force)`,
    )
    .action(async (o: GenerateCliOptions) => {
      process.exitCode = await generateCommand(o);
    });
}
