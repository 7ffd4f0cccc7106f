import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandNotRunError } from '../../../errors/command-not-run-error.js';
import { FiredrillError } from '../../../errors/firedrill-error.js';
import { MissingToolError } from '../../../errors/missing-tool-error.js';
import type { CommandRunner } from '../../../process/command-runner.js';
import { ExecaCommandRunner } from '../../../process/execa-command-runner.js';

/** PEM texts of one key pair and the CA that signed it. */
export interface KeyPair {
  ca: string;
  cert: string;
  key: string;
}

/** The three Secrets the Chaos Mesh chart generates at render time, generated here at install instead. */
export interface ChaosMeshCerts {
  /** The admission webhooks' serving pair (the webhook configurations' caBundle is `ca`). */
  webhook: KeyPair;
  /** chaos-daemon's gRPC server pair (mTLS with the controller). */
  daemonServer: KeyPair;
  /** The controller manager's client pair towards chaos-daemon. */
  daemonClient: KeyPair;
}

/**
 * The subjects and names the chart's _certs.tpl gives each certificate (genSignedCert), so the controller
 * and the daemon check each other exactly as in a Helm install.
 */
const PAIRS = {
  webhook: {
    cn: 'chaos-mesh-controller-manager.chaos-mesh.svc',
    sans: ['DNS:chaos-mesh-controller-manager.chaos-mesh.svc'],
  },
  daemonServer: {
    cn: 'chaos-daemon.chaos-mesh.org',
    sans: ['DNS:localhost', 'DNS:chaos-daemon.chaos-mesh.org'],
  },
  daemonClient: {
    cn: 'controller-manager.chaos-mesh.org',
    sans: ['DNS:localhost', 'DNS:controller-manager.chaos-mesh.org'],
  },
} as const;

/**
 * A fresh CA and the three pairs, with the openssl CLI (Node's crypto cannot issue certificates). Helm
 * renders these at template time; committing rendered keys would give every install the same CA.
 */
export async function createChaosMeshCerts(
  opts: { runner?: CommandRunner; days?: number } = {},
): Promise<ChaosMeshCerts> {
  const runner = opts.runner ?? new ExecaCommandRunner();
  const days = String(opts.days ?? 1825);
  const dir = await mkdtemp(join(tmpdir(), 'chaos-mesh-certs-'));
  try {
    const caCert = join(dir, 'ca.crt');
    const caKey = join(dir, 'ca.key');
    // prettier-ignore
    await openssl(runner, [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', days,
      '-keyout', caKey, '-out', caCert, '-subj', '/CN=chaos-mesh-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    ]);
    const ca = await readFile(caCert, 'utf8');
    const out: Partial<ChaosMeshCerts> = {};
    for (const [name, p] of Object.entries(PAIRS) as Array<
      [keyof ChaosMeshCerts, (typeof PAIRS)[keyof typeof PAIRS]]
    >) {
      const cert = join(dir, `${name}.crt`);
      const key = join(dir, `${name}.key`);
      // prettier-ignore
      await openssl(runner, [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', days,
        '-CA', caCert, '-CAkey', caKey,
        '-keyout', key, '-out', cert, '-subj', `/CN=${p.cn}`,
        '-addext', 'basicConstraints=critical,CA:FALSE',
        '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
        '-addext', 'extendedKeyUsage=serverAuth,clientAuth',
        '-addext', `subjectAltName=${p.sans.join(',')}`,
      ]);
      out[name] = { ca, cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
    }
    return out as ChaosMeshCerts;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function openssl(runner: CommandRunner, args: string[]): Promise<void> {
  let result;
  try {
    result = await runner.run('openssl', args, { timeoutMs: 30_000 });
  } catch (err) {
    if (err instanceof CommandNotRunError && err.code === 'ENOENT') {
      throw new MissingToolError(
        'openssl',
        'apt-get install openssl',
        "needed to create Chaos Mesh's certificates",
      );
    }
    throw err;
  }
  if (result.exitCode !== 0) {
    const tail = result.stderr
      .split('\n')
      .filter((l) => !/^[.+*\s-]*$/.test(l))
      .slice(-5)
      .join('\n');
    throw new FiredrillError(`${result.command} failed (exit ${result.exitCode}):\n${tail}`);
  }
}
