import type { Command } from 'commander';
import { ExitCode } from '../../errors/exit-codes.js';
import { writeReport } from '../../report/index.js';

export interface ReportCliOptions {
  output?: string;
  withTruth?: boolean;
}

/** `report <bundle>`: writes the HTML file and prints its path. */
export async function reportCommand(
  bundle: string,
  o: ReportCliOptions,
  stdout: (t: string) => void = (t) => process.stdout.write(t),
): Promise<ExitCode> {
  stdout(`${await writeReport(bundle, { out: o.output, withTruth: o.withTruth })}\n`);
  return ExitCode.Ok;
}

export function register(program: Command): void {
  program
    .command('report')
    .summary(
      'write an HTML report of a bundle: alert timeline, service charts, events, traces, topology, logs',
    )
    .description(
      'Render a bundle (directory or packed) as one self-contained HTML file for people reviewing an incident: ' +
        'the alert timeline (pending and firing on a time axis, the window marked), request rate, error ratio ' +
        'and p95 per service, the events with filters, the slowest and a failing trace as waterfalls, the ' +
        'topology with alerting entities highlighted and the logs around the first alert. Scripts and styles ' +
        'are inlined: it opens offline and fetches nothing.',
    )
    .argument('<bundle>', 'bundle directory or packed bundle (.tar.gz)')
    .option('-o, --output <file>', 'where to write the report (default: beside the bundle, <bundle>.html)')
    .option(
      '--with-truth',
      'also show the ground truth: injection time, faults, root causes, background activity (task authors only: never give it to an agent)',
    )
    .addHelpText(
      'after',
      `
Output: the report's path on stdout. (Here -o is the file's path, not an output format.)
Exit codes: 0 written; 1 unreadable bundle or write failure; 2 invalid option.

Examples:
  firedrill report out/incident-3f2a9c1b7d0e             # out/incident-3f2a9c1b7d0e.html
  firedrill report task.tar.gz -o /tmp/task.html --with-truth`,
    )
    .action(async (bundle: string, o: ReportCliOptions) => {
      const code = await reportCommand(bundle, o);
      if (code !== ExitCode.Ok) process.exitCode = code;
    });
}
