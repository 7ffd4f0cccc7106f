import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { InvalidInputError } from '../../errors/invalid-input-error.js';

/** What `-o, --output` accepts, the human default first. */
export const OUTPUT_FORMATS = ['text', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export type StructuredFormat = Exclude<OutputFormat, 'text'>;

/** The options a command given `addOutputOptions()` receives. */
export interface OutputCliOptions {
  /** Always set by commander (default text); optional for callers in tests. */
  output?: OutputFormat;
  /** Only on commands that had `--json` before `-o` existed. */
  json?: boolean;
}

/** Validates a format typed by a user; anything else is bad input naming the allowed values. */
export function parseOutputFormat(text: string): OutputFormat {
  const format = OUTPUT_FORMATS.find((f) => f === text);
  if (format === undefined)
    throw new InvalidInputError(
      `-o/--output: unknown format "${text}"; use one of ${OUTPUT_FORMATS.join(', ')}`,
    );
  return format;
}

/**
 * Adds `-o, --output <format>` to a command, plus `--json` as its alias on commands that had `--json`
 * before `-o` existed (scripts keep working). The format is checked while parsing, so a bad value stops
 * the command before it does anything, with our one-line message and exit code 2 rather than
 * commander's usage error. Returns the command for chaining.
 */
export function addOutputOptions(
  command: Command,
  opts: { jsonAlias?: boolean; what?: string } = {},
): Command {
  command.addOption(
    new Option('-o, --output <format>', `print ${opts.what ?? 'the result'} as text, json or yaml`)
      // choices() for --help and shell completion; the parser replaces commander's own check
      .choices(OUTPUT_FORMATS)
      .argParser(parseOutputFormat)
      .default('text' satisfies OutputFormat),
  );
  if (opts.jsonAlias)
    command.addOption(new Option('--json', 'the same as -o json (kept for existing scripts)'));
  return command;
}

/** The format asked for, with `--json` folded in; `--json -o yaml` contradicts itself and is refused. */
export function outputFormat(o: OutputCliOptions): OutputFormat {
  const output = o.output ?? 'text';
  if (!o.json) return output;
  if (output !== 'text' && output !== 'json')
    throw new InvalidInputError(`--json means -o json; it contradicts -o ${output}`);
  return 'json';
}

/**
 * The document as JSON or YAML, ending in a newline. Both go through JSON first so they carry exactly
 * the same data: undefined fields dropped, Dates as ISO strings, no YAML anchors for shared objects, no
 * YAML-only values such as .nan.
 */
export function formatStructured(value: unknown, format: StructuredFormat): string {
  const json = JSON.stringify(value ?? null, null, 2);
  if (format === 'json') return `${json}\n`;
  // lineWidth 0: long strings (paths, messages) stay on one line, so grep finds them whole
  return stringify(JSON.parse(json) as unknown, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Prints the document on stdout, which carries results only (progress and warnings go to stderr). */
export function printStructured(
  value: unknown,
  format: StructuredFormat,
  write: (text: string) => void = (t) => process.stdout.write(t),
): void {
  write(formatStructured(value, format));
}
