import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandNotRunError } from '../../errors/command-not-run-error.js';
import { FiredrillError } from '../../errors/firedrill-error.js';
import { MissingToolError } from '../../errors/missing-tool-error.js';
import type { CommandRunner } from '../../process/command-runner.js';
import { ExecaCommandRunner } from '../../process/execa-command-runner.js';

/** Files of a throwaway control plane's PKI, all PEM. */
export interface ControlPlanePki {
  dir: string;
  caCert: string;
  caKey: string;
  /** kube-apiserver's serving certificate, signed by the CA. */
  servingCert: string;
  servingKey: string;
  /** Signs service-account tokens (kube-apiserver) and legacy token Secrets (kube-controller-manager). */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

export interface CreatePkiOptions {
  /** Names and addresses the serving certificate is valid for, besides 127.0.0.1 and localhost. */
  extraSans?: readonly string[];
  runner?: CommandRunner;
  /** Certificate lifetime; default 30 days (a test cluster lives minutes, a dev one maybe weeks). */
  days?: number;
}

/**
 * In-cluster names of the API server: what a client reaching it through the `kubernetes` Service would
 * check. 10.96.0.1 is the first address of the service range AirgapControlPlane configures.
 */
export const IN_CLUSTER_SANS = [
  'IP:10.96.0.1',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
] as const;

/**
 * Creates a CA, a serving certificate for the API server on loopback and a service-account key pair
 * with the openssl CLI (present wherever TLS is; Node's crypto cannot issue X.509 certificates). RSA 2048
 * throughout: every Kubernetes component and client accepts it.
 */
export async function createControlPlanePki(
  dir: string,
  opts: CreatePkiOptions = {},
): Promise<ControlPlanePki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const runner = opts.runner ?? new ExecaCommandRunner();
  const days = String(opts.days ?? 30);
  const pki: ControlPlanePki = {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
  const sans = ['IP:127.0.0.1', 'DNS:localhost', ...IN_CLUSTER_SANS, ...(opts.extraSans ?? [])];
  const openssl = (args: string[]): Promise<void> => runOpenssl(runner, args);

  // prettier-ignore
  await openssl([
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', days,
    '-keyout', pki.caKey, '-out', pki.caCert, '-subj', '/CN=firedrill-local-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  // prettier-ignore
  await openssl([
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', days,
    '-CA', pki.caCert, '-CAkey', pki.caKey,
    '-keyout', pki.servingKey, '-out', pki.servingCert, '-subj', '/CN=kube-apiserver',
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext', 'extendedKeyUsage=serverAuth',
    '-addext', `subjectAltName=${sans.join(',')}`,
  ]);
  await openssl([
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    pki.serviceAccountKey,
  ]);
  await openssl(['pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPub]);
  return pki;
}

async function runOpenssl(runner: CommandRunner, args: string[]): Promise<void> {
  let result;
  try {
    result = await runner.run('openssl', args, { timeoutMs: 30_000 });
  } catch (err) {
    if (err instanceof CommandNotRunError && err.code === 'ENOENT') {
      throw new MissingToolError(
        'openssl',
        'apt-get install openssl',
        'needed to create the control plane certificates',
      );
    }
    throw err;
  }
  if (result.exitCode !== 0) {
    // openssl prints key-generation progress dots on stderr; the error is in the last lines.
    const tail = result.stderr
      .split('\n')
      .filter((l) => !/^[.+*\s-]*$/.test(l))
      .slice(-5)
      .join('\n');
    throw new FiredrillError(`${result.command} failed (exit ${result.exitCode}):\n${tail}`);
  }
}
