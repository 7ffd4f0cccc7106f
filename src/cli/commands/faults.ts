import type { Command } from 'commander';
import { ExitCode } from '../../errors/exit-codes.js';
import { defaultCatalog } from '../../faults/catalog.js';
import type { FaultRegistry } from '../../faults/fault-registry.js';
import { paramsJsonSchema, type JsonSchema } from '../../faults/params-json-schema.js';
import { substratesProviding } from '../../substrates/registry.js';
import {
  formatStructured,
  outputFormat,
  addOutputOptions,
  type OutputCliOptions,
} from '../support/output-format.js';

export interface FaultsIo {
  stdout(line: string): void;
  registry?: FaultRegistry;
}

/** One entry of `firedrill faults -o json|yaml`. */
export interface FaultListing {
  id: string;
  description: string;
  /** What the type relies on (src/platform/capabilities.ts). */
  needs: string[];
  /** The registered substrates that provide all of it. */
  substrates: string[];
  targetKinds: string[];
  /** Whether a scenario may use it as a precondition (the app deployed with it). */
  precondition: boolean;
  params: JsonSchema;
}

export function faultListings(registry: FaultRegistry): FaultListing[] {
  return registry.list().map((t) => ({
    id: t.id,
    description: t.description,
    needs: [...t.needs],
    substrates: substratesProviding(t.needs),
    targetKinds: [...t.targetKinds],
    precondition: t.asDeployed !== undefined,
    params: paramsJsonSchema(t),
  }));
}

/** Lists the fault types a scenario may use. Returns the exit code. */
export function runFaults(opts: OutputCliOptions, io: FaultsIo): ExitCode {
  const format = outputFormat(opts);
  const listings = faultListings(io.registry ?? defaultCatalog());
  if (format !== 'text') {
    io.stdout(formatStructured(listings, format).trimEnd());
    return ExitCode.Ok;
  }
  if (listings.length === 0) {
    io.stdout('no fault types registered');
    return ExitCode.Ok;
  }
  listings.forEach((f, i) => {
    if (i > 0) io.stdout('');
    io.stdout(`${f.id}  ${f.description}`);
    io.stdout(`  needs:       ${f.needs.join(', ')}`);
    io.stdout(`  substrates:  ${f.substrates.join(', ')}`);
    io.stdout(`  targets:     ${f.targetKinds.join(', ')}`);
    if (f.precondition)
      io.stdout('  also:        a precondition (spec.preconditions: the app deployed with it)');
    io.stdout(`  params:      ${describeParams(f.params)}`);
  });
  return ExitCode.Ok;
}

/** `delayMs (integer, required), jitterMs (integer, default 0)` from a params JSON Schema. */
export function describeParams(schema: JsonSchema): string {
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  if (!props || Object.keys(props).length === 0) return '(none)';
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(props)
    .map(([name, p]) => {
      const bits = [typeof p.type === 'string' ? p.type : Array.isArray(p.enum) ? p.enum.join('|') : 'any'];
      if (required.has(name)) bits.push('required');
      if (p.default !== undefined) bits.push(`default ${JSON.stringify(p.default)}`);
      return `${name} (${bits.join(', ')})`;
    })
    .join(', ');
}

export function register(program: Command): void {
  const faults = program
    .command('faults')
    .summary('list the fault types scenarios can use')
    .description(
      'List the fault types of the catalog: the id a scenario writes as `type:`, what each needs from a ' +
        'substrate (src/platform/capabilities.ts) and so the substrates it runs on, the kinds of entity it may ' +
        'target, and its params.',
    );
  addOutputOptions(faults, { jsonAlias: true, what: 'the catalog' })
    .addHelpText(
      'after',
      `
Output:
  stdout  text: per type its id and description, then needs, substrates, targets and params
          -o json|yaml: an array of {id, description, needs, substrates, targetKinds, params},
          params as a JSON Schema (for tools and editors)

Exit codes:
  0  listed
  2  bad option (e.g. an unknown -o format)

Examples:
  firedrill faults
  firedrill faults -o json | jq '.[] | {id, substrates}'`,
    )
    .action((opts: OutputCliOptions) => {
      process.exitCode = runFaults(opts, { stdout: (line) => process.stdout.write(`${line}\n`) });
    });
}
