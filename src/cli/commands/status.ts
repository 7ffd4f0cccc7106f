import type { Command } from 'commander';
import { ExitCode } from '../../errors/exit-codes.js';
import { isRunning } from '../../process/proc-info.js';
import { PrometheusHttpClient } from '../../telemetry/prometheus-http-client.js';
import { parseSubstrateName } from '../../substrates/registry.js';
import {
  addOutputOptions,
  formatStructured,
  outputFormat,
  type OutputCliOptions,
} from '../support/output-format.js';
import { substrateOption, type SubstrateCliOptions } from '../support/substrate-options.js';
import { readUpState } from '../support/up-state.js';

/** `status -o json|yaml`. Fields that only an up substrate has are null when it is down. */
export interface StatusDocument {
  substrate: string;
  up: boolean;
  pid: number | null;
  startedAt: string | null;
  /** name → URL, as `firedrill up` printed them (kind/kubeconfig add the kubeconfig context). */
  endpoints: Record<string, string>;
  /** Prometheus' active scrape targets; null when down or Prometheus did not answer within 3 s. */
  scrape: { up: number; total: number; down: Array<{ target: string; error: string }> } | null;
}

export async function statusOf(substrate: string): Promise<StatusDocument> {
  const state = await readUpState(substrate);
  if (!state || !isRunning(state.pid))
    return { substrate, up: false, pid: null, startedAt: null, endpoints: {}, scrape: null };
  let scrape: StatusDocument['scrape'] = null;
  if (state.endpoints.prometheus) {
    const t = await new PrometheusHttpClient({ baseUrl: state.endpoints.prometheus, timeoutMs: 3000 })
      .targets('active')
      .catch(() => undefined);
    if (t)
      scrape = {
        up: t.activeTargets.filter((x) => x.health === 'up').length,
        total: t.activeTargets.length,
        down: t.activeTargets
          .filter((x) => x.health !== 'up')
          .map((x) => ({ target: x.labels.pod ?? x.scrapeUrl, error: x.lastError })),
      };
  }
  return {
    substrate,
    up: true,
    pid: state.pid,
    startedAt: state.startedAt,
    endpoints: state.endpoints,
    scrape,
  };
}

export function formatStatus(s: StatusDocument): string {
  if (!s.up) return `${s.substrate} substrate: down\n`;
  let out = `${s.substrate} substrate: up (pid ${s.pid}, since ${s.startedAt})\n`;
  for (const [k, v] of Object.entries(s.endpoints)) out += `${k}\t${v}\n`;
  if (s.scrape) {
    out += `scrape targets\t${s.scrape.up}/${s.scrape.total} up\n`;
    for (const d of s.scrape.down) out += `  down\t${d.target}\t${d.error}\n`;
  }
  return out;
}

interface StatusCliOptions extends SubstrateCliOptions, OutputCliOptions {}

export function register(program: Command): void {
  // No --kubeconfig/--context: status reads the state `firedrill up` left and asks Prometheus through
  // that process's endpoints; it never talks to a cluster itself (the context in use is among the
  // endpoints of kind and kubeconfig).
  const status = program
    .command('status')
    .summary('show whether a `firedrill up` is running, its endpoints and scrape health')
    .addOption(substrateOption());
  addOutputOptions(status, { what: 'the status' })
    .addHelpText(
      'after',
      `
Output:
  stdout  "<substrate> substrate: up|down", then name<TAB>URL per endpoint and scrape health
          -o json|yaml: one document {substrate, up, pid, startedAt, endpoints, scrape}
          (scrape: {up, total, down[{target, error}]}, null when Prometheus does not answer)

Exit codes:
  0  up
  1  not up
  2  unknown substrate or bad option`,
    )
    .action(async (o: StatusCliOptions) => {
      const format = outputFormat(o);
      const s = await statusOf(parseSubstrateName(o.substrate));
      process.stdout.write(format === 'text' ? formatStatus(s) : formatStructured(s, format));
      process.exitCode = s.up ? ExitCode.Ok : ExitCode.Failure;
    });
}
