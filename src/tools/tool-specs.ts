import { loadVersions } from '../versions/versions.js';
import type { ToolSpec } from './tool-spec.js';

const SEMVERISH = '(\\d+\\.\\d+\\.\\d+[^\\s",)]*)';

export const PROMETHEUS: ToolSpec = {
  name: 'prometheus',
  purpose: 'metrics and alert rules on the local substrate',
  candidates: ['prometheus'],
  versionArgs: ['--version'],
  versionPattern: new RegExp(`prometheus, version ${SEMVERISH}`),
  install: {
    debian: 'sudo apt-get install --no-install-recommends prometheus',
    macos: 'brew install prometheus',
    other: 'download prometheus from https://prometheus.io/download/ and put prometheus and promtool on PATH',
  },
};

export const PROMTOOL: ToolSpec = {
  name: 'promtool',
  purpose: 'checks generated Prometheus configs and rule files',
  candidates: ['promtool'],
  versionArgs: ['--version'],
  versionPattern: new RegExp(`promtool, version ${SEMVERISH}`),
  install: PROMETHEUS.install,
};

export const ALERTMANAGER: ToolSpec = {
  name: 'alertmanager',
  purpose: 'receives alerts from Prometheus on the local substrate',
  candidates: ['prometheus-alertmanager', 'alertmanager'],
  versionArgs: ['--version'],
  versionPattern: new RegExp(`alertmanager, version ${SEMVERISH}`),
  install: {
    debian: 'sudo apt-get install --no-install-recommends prometheus-alertmanager',
    macos: 'brew install alertmanager',
    other: 'download alertmanager from https://prometheus.io/download/#alertmanager and put it on PATH',
  },
};

export const AMTOOL: ToolSpec = {
  name: 'amtool',
  purpose: 'checks Alertmanager configs',
  candidates: ['amtool'],
  versionArgs: ['--version'],
  versionPattern: new RegExp(`amtool, version ${SEMVERISH}`),
  install: ALERTMANAGER.install,
};

export const REDIS_SERVER: ToolSpec = {
  name: 'redis-server',
  purpose: "the shop cart's store on the local substrate",
  candidates: ['redis-server'],
  versionArgs: ['--version'],
  versionPattern: /v=(\d+\.\d+\.\d+)/,
  install: {
    debian: 'sudo apt-get install --no-install-recommends redis-server',
    macos: 'brew install redis',
    other: 'install Redis 7 from https://redis.io/downloads/ and put redis-server on PATH',
  },
};

export const POSTGRES: ToolSpec = {
  name: 'postgres',
  purpose: "the shop's database on the local substrate (with initdb, pg_ctl and psql beside it)",
  candidates: ['postgres'],
  // Debian and Ubuntu keep the server off PATH, one directory per major release.
  dirs: ['/usr/lib/postgresql/*/bin'],
  versionArgs: ['--version'],
  versionPattern: /\(PostgreSQL\) (\d+(?:\.\d+)+)/,
  install: {
    debian: 'sudo apt-get install --no-install-recommends postgresql (bookworm: postgresql-15)',
    macos: 'brew install postgresql@15',
    other:
      'install PostgreSQL 15 from https://www.postgresql.org/download/ and put its bin directory on PATH',
  },
};

export const REDIS_CLI: ToolSpec = {
  name: 'redis-cli',
  purpose: 'optional: poke the local Redis by hand',
  candidates: ['redis-cli'],
  versionArgs: ['--version'],
  versionPattern: /redis-cli (\d+\.\d+\.\d+)/,
  install: {
    debian: 'sudo apt-get install --no-install-recommends redis-tools',
    macos: 'brew install redis',
    other: 'install Redis 7 from https://redis.io/downloads/',
  },
};

export const NODE: ToolSpec = {
  name: 'node',
  purpose: 'runs the shop services on the local substrate',
  candidates: ['node', 'nodejs'],
  versionArgs: ['--version'],
  versionPattern: /^v(\d+\.\d+\.\d+)/m,
  install: {
    // Debian bookworm's own nodejs package is 18, too old.
    debian: 'install Node.js 20 from https://github.com/nodesource/distributions (Debian 12 ships 18)',
    macos: 'brew install node@20',
    other: 'install Node.js 20 from https://nodejs.org/',
  },
  minVersion: '20.6.0',
};

export const DOCKER: ToolSpec = {
  name: 'docker',
  purpose: 'container engine behind kind; builds the shop image',
  candidates: ['docker'],
  versionArgs: ['--version'],
  versionPattern: new RegExp(`Docker version ${SEMVERISH}`),
  install: {
    debian:
      'sudo apt-get install docker.io (or Docker Engine: https://docs.docker.com/engine/install/debian/)',
    macos: 'install Docker Desktop (https://docs.docker.com/desktop/) or colima (brew install colima docker)',
    other: 'install Docker Engine: https://docs.docker.com/engine/install/',
  },
};

/** The kind release pinned in versions.json; the hint still works if that file cannot be read. */
function kindRelease(): string {
  try {
    return loadVersions().tools.kind;
  } catch {
    return 'latest';
  }
}

const kindVersion = kindRelease();
export const KIND: ToolSpec = {
  name: 'kind',
  purpose: 'creates the Kubernetes cluster of the kind substrate',
  candidates: ['kind'],
  versionArgs: ['version'],
  versionPattern: /kind v(\d+\.\d+\.\d+\S*)/,
  install: {
    debian: `curl -Lo kind https://kind.sigs.k8s.io/dl/${kindVersion}/kind-linux-amd64 && chmod +x kind && sudo mv kind /usr/local/bin/ (or: go install sigs.k8s.io/kind@${kindVersion})`,
    macos: 'brew install kind',
    other: `go install sigs.k8s.io/kind@${kindVersion} (see https://kind.sigs.k8s.io/docs/user/quick-start/#installation)`,
  },
};

export const KUBECTL: ToolSpec = {
  name: 'kubectl',
  purpose: 'optional: inspect a cluster by hand (firedrill talks to the API directly)',
  candidates: ['kubectl'],
  versionArgs: ['version', '--client'],
  versionPattern: /(?:Client Version: |GitVersion:")v(\d+\.\d+\.\d+[^\s"]*)/,
  install: {
    // Debian's kubernetes-client package is years behind any supported cluster.
    debian:
      "see https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/ (Debian's kubernetes-client is too old)",
    macos: 'brew install kubectl',
    other: 'see https://kubernetes.io/docs/tasks/tools/',
  },
};

export const UNSHARE: ToolSpec = {
  name: 'unshare',
  purpose: 'optional: eval --isolate runs agents in their own network, mount and pid namespaces',
  candidates: ['unshare'],
  versionArgs: ['--version'],
  versionPattern: /util-linux (\d+\.\d+(?:\.\d+)?)/,
  install: {
    debian: 'sudo apt-get install util-linux',
    macos: 'not available on macOS: run eval on Linux (or the agent in a container) to isolate it',
    other: 'install util-linux',
  },
};

/** eval --isolate, as root: drops the agent to its account inside the namespaces (not listed by doctor). */
export const SETPRIV: ToolSpec = {
  ...UNSHARE,
  name: 'setpriv',
  purpose: 'eval --isolate as root: runs the agent as an unprivileged account',
  candidates: ['setpriv'],
};

/** eval --isolate: brings the namespace's loopback up (not listed by doctor). */
export const IP: ToolSpec = {
  name: 'ip',
  purpose: "eval --isolate: the loopback interface of the agent's network namespace",
  candidates: ['ip'],
  versionArgs: ['-V'],
  versionPattern: /iproute2-v?(\d+\.\d+(?:\.\d+)?)/,
  install: {
    debian: 'sudo apt-get install iproute2',
    macos: 'not needed on macOS',
    other: 'install iproute2',
  },
};

/** Every tool `firedrill doctor` reports on, required ones first. */
export const TOOLS: readonly ToolSpec[] = [
  NODE,
  PROMETHEUS,
  PROMTOOL,
  ALERTMANAGER,
  REDIS_SERVER,
  POSTGRES,
  DOCKER,
  KIND,
  AMTOOL,
  REDIS_CLI,
  KUBECTL,
  UNSHARE,
];
