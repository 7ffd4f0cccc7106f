import type { Command } from 'commander';

/** One environment variable firedrill reads. */
export interface EnvironmentVariable {
  readonly name: string;
  /** One line for --help. */
  readonly description: string;
  /**
   * The commands that read it, as typed after `firedrill` (`corpus run`); `every` when the launcher reads
   * it before any command; empty when only the repository's scripts do (it is then left out of --help).
   */
  readonly commands: readonly string[] | 'every';
  /** The option it gives a default to through commander's Option.env(); help shows it beside that option. */
  readonly option?: string;
  /** When firedrill hands it to a dependency instead of reading it: the call in src/ that does. */
  readonly readVia?: string;
}

/** The commands that bring a substrate up or clean one up. */
const SUBSTRATE_COMMANDS = ['run', 'corpus run', 'reproduce', 'up', 'down'];

/**
 * Every variable firedrill reads, the one source for --help (the root's Environment section and each
 * command's) and for the test that greps src/ for reads. Test-only variables (FIREDRILL_E2E*) are read
 * in tests/ alone and are not listed.
 */
export const ENVIRONMENT: readonly EnvironmentVariable[] = [
  {
    name: 'FIREDRILL_SUBSTRATE',
    description: 'default for --substrate (local, kind or kubeconfig)',
    // reproduce defaults to the substrate its bundle recorded instead
    commands: [...SUBSTRATE_COMMANDS.filter((c) => c !== 'reproduce'), 'status', 'doctor'],
    option: '--substrate',
  },
  {
    name: 'KUBECONFIG',
    description:
      'kind and kubeconfig substrates: the kubeconfig file(s) when --kubeconfig is not given ' +
      '(default ~/.kube/config); kind writes its context there',
    commands: SUBSTRATE_COMMANDS,
    // @kubernetes/client-node reads it (as kubectl does, a colon-separated list); kind inherits it
    readVia: 'loadFromDefault(',
  },
  {
    name: 'FIREDRILL_CORPUS_SECRET',
    description:
      'the corpus secret (64 hex digits) bundle ids, window offsets and background are drawn from; ' +
      'give every shard of one corpus the same (default: <out>/corpus/secret, or <out>/.corpus-secret for run)',
    commands: ['run', 'corpus run'],
    readVia: 'SECRET_ENV',
  },
  {
    name: 'FIREDRILL_SHOP_IMAGE',
    description: "kubeconfig substrate: the shop image as the cluster's nodes can pull it",
    commands: ['run', 'corpus run', 'reproduce', 'up'],
  },
  {
    name: 'FIREDRILL_WORK_DIR',
    description:
      'local substrate: where configs, Prometheus data and pod directories go, kept afterwards ' +
      '(default: a temporary directory, removed)',
    commands: ['run', 'corpus run', 'reproduce', 'up'],
  },
  {
    name: 'XDG_STATE_HOME',
    description:
      'state directory (default ~/.local/state): firedrill/ holds what `up` is running (for status ' +
      'and down), the local pid files (for down) and kind logs of a failed bring-up',
    commands: [...SUBSTRATE_COMMANDS, 'status'],
  },
  {
    name: 'FIREDRILL_LOG_LEVEL',
    description: 'level of the JSON log on stderr: trace, debug, info, warn (default), error',
    commands: SUBSTRATE_COMMANDS,
  },
  {
    name: 'PATH',
    description:
      'where prerequisites are looked up (prometheus, alertmanager, redis-server, postgres, kind, docker), then ' +
      '/usr/local/bin and the sbin directories; the local substrate passes it to its processes, eval to agents',
    commands: ['doctor', ...SUBSTRATE_COMMANDS, 'eval'],
  },
  {
    name: 'FIREDRILL_FROM_SOURCE',
    description:
      'bin/firedrill.js runs the TypeScript source through tsx even when dist/ is current (any value)',
    commands: 'every',
  },
  {
    name: 'FIREDRILL_CACHE',
    description:
      'air-gapped cluster scripts (make k8s-tools, cluster-up): where built Kubernetes binaries are ' +
      'cached (default ~/.cache/firedrill)',
    commands: [],
  },
  // The local substrate's kubelet sets these in each Node container's environment (the pod's resolv.conf,
  // read by src/substrates/local/dns-shim.ts inside the container); nobody sets them by hand.
  {
    name: 'FIREDRILL_CLUSTER_DNS',
    description: "local substrate, inside a pod: the cluster DNS's host:port (set by the substrate)",
    commands: [],
  },
  {
    name: 'FIREDRILL_POD_IP',
    description:
      "local substrate, inside a pod: the pod's address, which lookups leave from (set by the substrate)",
    commands: [],
  },
  {
    name: 'FIREDRILL_POD_NAMESPACE',
    description:
      "local substrate, inside a pod: the namespace of the pod's search path (set by the substrate)",
    commands: [],
  },
];

/** The name, checked against the table, for commander's Option.env(): an unlisted variable fails at once. */
export function envVar(name: string): string {
  if (!ENVIRONMENT.some((v) => v.name === name))
    throw new Error(`environment variable ${name} is not listed in src/cli/support/environment.ts`);
  return name;
}

/** The variables `firedrill <path>` reads (those every command reads are named in the root help only). */
export function variablesOf(path: string): EnvironmentVariable[] {
  return ENVIRONMENT.filter((v) => v.commands !== 'every' && v.commands.includes(path));
}

/** Help lines stay within this width, as the hand-written help texts do. */
const HELP_WIDTH = 100;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

function section(title: string, rows: Array<{ name: string; lines: string[] }>): string {
  const width = Math.max(...rows.map((r) => r.name.length));
  const body = rows.flatMap((r) =>
    r.lines
      .flatMap((line) => wrap(line, HELP_WIDTH - width - 4))
      .map((line, i) => `  ${(i === 0 ? r.name : '').padEnd(width)}  ${line}`),
  );
  return `\n${title}\n${body.join('\n')}`;
}

/** The root's section: every variable a command reads, and which commands. */
export function rootEnvironmentHelp(): string {
  return section(
    'Environment:',
    ENVIRONMENT.filter((v) => v.commands.length > 0).map((v) => ({
      name: v.name,
      lines: [
        v.description,
        v.commands === 'every' ? 'read by every command' : `read by: ${v.commands.join(', ')}`,
      ],
    })),
  );
}

/** Walks the tree and gives each command (and the root) its Environment section. */
export function addEnvironmentHelp(program: Command): void {
  program.addHelpText('after', rootEnvironmentHelp());
  const walk = (cmd: Command, path: string): void => {
    // variables behind an option are shown by commander beside it: "(env: FIREDRILL_SUBSTRATE)"
    const rows = variablesOf(path).filter((v) => !cmd.options.some((o) => o.envVar === v.name));
    if (rows.length > 0)
      cmd.addHelpText(
        'after',
        section(
          'Environment:',
          rows.map((v) => ({ name: v.name, lines: [v.description] })),
        ),
      );
    for (const sub of cmd.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  for (const sub of program.commands) walk(sub, sub.name());
}
