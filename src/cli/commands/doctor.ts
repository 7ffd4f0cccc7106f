import type { Command } from 'commander';
import { ExitCode } from '../../errors/exit-codes.js';
import { isolationSupport, type IsolationSupport } from '../../eval/isolation.js';
import { blockingProblems, checkAll, formatToolReport, type ToolStatus } from '../../tools/doctor.js';
import { parseSubstrateName, SUBSTRATES, toolRequirements } from '../../substrates/registry.js';
import {
  addOutputOptions,
  formatStructured,
  outputFormat,
  type OutputCliOptions,
} from '../support/output-format.js';
import { substrateOption, type SubstrateCliOptions } from '../support/substrate-options.js';

/** `doctor -o json|yaml`: every tool, with what the text report shows and nothing left implicit. */
export interface DoctorDocument {
  substrate: string;
  /** Everything the substrate needs is installed (exit code 0). */
  ok: boolean;
  tools: Array<{
    name: string;
    state: ToolStatus['state'];
    /** Needed by the substrate asked about. */
    required: boolean;
    requiredFor: string[];
    purpose: string;
    path: string | null;
    version: string | null;
    install: string;
    problem: string | null;
  }>;
  /** Whether `eval --isolate` can create namespaces here (optional: eval runs without it). */
  evalIsolation?: { available: boolean; mode: IsolationSupport['mode']; loopback: boolean; detail: string };
}

export function doctorDocument(
  substrate: string,
  statuses: readonly ToolStatus[],
  isolation?: IsolationSupport,
): DoctorDocument {
  return {
    substrate,
    ok: blockingFor(substrate, statuses).length === 0,
    tools: statuses.map((s) => ({
      name: s.name,
      state: s.state,
      required: s.requiredFor.includes(substrate),
      requiredFor: [...s.requiredFor],
      purpose: s.purpose,
      path: s.found?.path ?? null,
      version: s.found?.version ?? null,
      install: s.install,
      problem: s.problem ?? null,
    })),
    ...(isolation && {
      evalIsolation: {
        available: isolation.available,
        mode: isolation.mode,
        loopback: isolation.loopback,
        detail: isolation.detail,
      },
    }),
  };
}

function blockingFor(substrate: string, statuses: readonly ToolStatus[]): ToolStatus[] {
  return blockingProblems(statuses).filter((s) => s.requiredFor.includes(substrate));
}

interface DoctorCliOptions extends SubstrateCliOptions, OutputCliOptions {}

export function register(program: Command): void {
  const needs = SUBSTRATES.map(
    (s) => `${s.name}: ${s.tools.map((t) => t.name).join(', ') || 'nothing installed locally'}`,
  ).join('; ');
  // No --kubeconfig/--context: doctor looks for programs on this machine and never talks to a cluster.
  const doctor = program
    .command('doctor')
    .summary('list every prerequisite, found or missing, with the command to install it')
    .description(
      `Check the tools each substrate needs (${needs}). Prints one line per tool: state, name, version, path, ` +
        'what needs it and, when missing, how to install it.',
    )
    .addOption(substrateOption());
  addOutputOptions(doctor, { what: 'the report' })
    .addHelpText(
      'after',
      `
Output:
  stdout  one aligned line per tool
          then whether eval --isolate can create namespaces here, and what that means if not
          -o json|yaml: one document {substrate, ok, tools[{name, state, required, requiredFor,
          purpose, path, version, install, problem}], evalIsolation{available, mode, loopback,
          detail}} (state: ok, missing or too-old)

Exit codes:
  0  everything the substrate needs is installed
  2  unknown substrate or bad option
  4  something it needs is missing or too old`,
    )
    .action(async (o: DoctorCliOptions) => {
      const format = outputFormat(o);
      const substrate = parseSubstrateName(o.substrate);
      const [statuses, isolation] = await Promise.all([
        checkAll({ requiredBy: toolRequirements() }),
        isolationSupport(),
      ]);
      process.stdout.write(
        format === 'text'
          ? `${formatToolReport(statuses)}\neval --isolate: ${isolation.detail}\n`
          : formatStructured(doctorDocument(substrate, statuses, isolation), format),
      );
      process.exitCode =
        blockingFor(substrate, statuses).length > 0 ? ExitCode.MissingPrerequisite : ExitCode.Ok;
    });
}
