import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner } from '../../../process/command-runner.js';
import { ExecaCommandRunner } from '../../../process/execa-command-runner.js';
import { createCa, issueCert, type Openssl } from '../../../tools/openssl-certs.js';

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
  const days = opts.days ?? 1825;
  const openssl: Openssl = { runner, purpose: "needed to create Chaos Mesh's certificates" };
  const dir = await mkdtemp(join(tmpdir(), 'chaos-mesh-certs-'));
  try {
    const caFiles = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
    await createCa(openssl, { ...caFiles, cn: 'chaos-mesh-ca', days });
    const ca = await readFile(caFiles.cert, 'utf8');
    const out: Partial<ChaosMeshCerts> = {};
    for (const [name, p] of Object.entries(PAIRS) as Array<
      [keyof ChaosMeshCerts, (typeof PAIRS)[keyof typeof PAIRS]]
    >) {
      const cert = join(dir, `${name}.crt`);
      const key = join(dir, `${name}.key`);
      // Both usages on every pair, as sprig's genSignedCert (the chart's generator) gives them.
      await issueCert(openssl, caFiles, {
        cert,
        key,
        cn: p.cn,
        sans: p.sans,
        extendedKeyUsage: 'serverAuth,clientAuth',
        days,
      });
      out[name] = { ca, cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
    }
    return out as ChaosMeshCerts;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
