import { Option } from 'commander';
import type { Logger } from '../../logging/logger.js';
import {
  DEFAULT_SUBSTRATE,
  parseSubstrateName,
  SUBSTRATE_NAMES,
  SUBSTRATES,
} from '../../substrates/registry.js';
import type { SubstrateOptions } from '../../substrates/substrate-registration.js';
import { CHAOS_CAPABILITIES } from '../../platform/capabilities.js';
import { defaultCatalog } from '../../faults/catalog.js';
import type { FaultRegistry } from '../../faults/fault-registry.js';
import { envVar } from './environment.js';
import { localPidDir } from './state-dir.js';

/** The options of every command that brings up or talks to a substrate. */
export interface SubstrateCliOptions {
  substrate: string;
  kubeconfig?: string;
  context?: string;
}

/** `--substrate <name>`, its choices drawn from the registry. */
export function substrateOption(): Option {
  return (
    new Option('--substrate <name>', 'where to stage')
      // choices() for --help and shell completion; the parser keeps our one-line error for a bad name
      .choices(SUBSTRATE_NAMES)
      .argParser(parseSubstrateName)
      .default(DEFAULT_SUBSTRATE)
      .env(envVar('FIREDRILL_SUBSTRATE'))
  );
}

/** `--kubeconfig <file>`, for every command that may talk to a cluster. */
export function kubeconfigOption(): Option {
  return new Option(
    '--kubeconfig <file>',
    'kubeconfig file, for substrates on a cluster (default: $KUBECONFIG, then ~/.kube/config)',
  );
}

/** `--context <name>`, for every command that may talk to a cluster. */
export function contextOption(): Option {
  return new Option('--context <name>', "kubeconfig context (default: the kubeconfig's current one)");
}

/** One line per registered substrate, for the `after` help of commands that take `--substrate`. */
export function substratesHelp(): string {
  const width = Math.max(...SUBSTRATES.map((s) => s.name.length));
  return `\nSubstrates:\n${SUBSTRATES.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`).join('\n')}`;
}

/** Validated name plus what the factory needs, from the parsed options. */
export function substrateOptionsFrom(
  o: SubstrateCliOptions,
  logger: Logger,
  extra: Partial<SubstrateOptions> = {},
): { name: string; options: SubstrateOptions } {
  return {
    name: parseSubstrateName(o.substrate),
    options: { logger, pidDir: localPidDir(), kubeconfig: o.kubeconfig, context: o.context, ...extra },
  };
}

/** Whether any fault of these scenarios needs the chaos engine (Kubernetes substrates then install Chaos Mesh). */
export function needsChaosEngine(
  scenarios: ReadonlyArray<{ spec: { faults: ReadonlyArray<{ type: string }> } }>,
  registry: FaultRegistry = defaultCatalog(),
): boolean {
  return scenarios.some((s) =>
    s.spec.faults.some((f) => registry.get(f.type)?.needs.some((n) => CHAOS_CAPABILITIES.includes(n))),
  );
}
