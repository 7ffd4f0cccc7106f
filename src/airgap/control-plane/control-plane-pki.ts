import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from '../../process/command-runner.js';
import { ExecaCommandRunner } from '../../process/execa-command-runner.js';
import { createCa, issueCert, runOpenssl, type Openssl } from '../../tools/openssl-certs.js';

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
  const days = opts.days ?? 30;
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
  const openssl: Openssl = { runner, purpose: 'needed to create the control plane certificates' };
  const ca = { cert: pki.caCert, key: pki.caKey };

  await createCa(openssl, { ...ca, cn: 'firedrill-local-ca', days });
  await issueCert(openssl, ca, {
    cert: pki.servingCert,
    key: pki.servingKey,
    cn: 'kube-apiserver',
    sans,
    extendedKeyUsage: 'serverAuth',
    days,
  });
  await runOpenssl(openssl, [
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    pki.serviceAccountKey,
  ]);
  await runOpenssl(openssl, ['pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPub]);
  return pki;
}
