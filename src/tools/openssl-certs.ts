import { CommandNotRunError } from '../errors/command-not-run-error.js';
import { FiredrillError } from '../errors/firedrill-error.js';
import { MissingToolError } from '../errors/missing-tool-error.js';
import type { CommandRunner } from '../process/command-runner.js';

/**
 * Where openssl runs and what for: the purpose ends the missing-tool message, so the user learns which
 * part of firedrill needed it.
 */
export interface Openssl {
  runner: CommandRunner;
  /** E.g. `needed to create the control plane certificates`. */
  purpose: string;
}

/** A certificate and its key, both as PEM file paths. */
export interface CertFiles {
  cert: string;
  key: string;
}

/**
 * A self-signed CA with the openssl CLI (Node's crypto cannot issue X.509 certificates). RSA 2048: every
 * Kubernetes component and client accepts it.
 */
export async function createCa(
  openssl: Openssl,
  out: CertFiles & { cn: string; days: number },
): Promise<void> {
  // prettier-ignore
  await runOpenssl(openssl, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', String(out.days),
    '-keyout', out.key, '-out', out.cert, '-subj', `/CN=${out.cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
}

/** A leaf certificate signed by `ca`, valid for `sans` (`DNS:…`, `IP:…`) and the given extended key usage. */
export async function issueCert(
  openssl: Openssl,
  ca: CertFiles,
  out: CertFiles & { cn: string; sans: readonly string[]; extendedKeyUsage: string; days: number },
): Promise<void> {
  // prettier-ignore
  await runOpenssl(openssl, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', String(out.days),
    '-CA', ca.cert, '-CAkey', ca.key,
    '-keyout', out.key, '-out', out.cert, '-subj', `/CN=${out.cn}`,
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext', `extendedKeyUsage=${out.extendedKeyUsage}`,
    '-addext', `subjectAltName=${out.sans.join(',')}`,
  ]);
}

/** Runs openssl; a missing binary becomes a MissingToolError, a failure an error with openssl's last words. */
export async function runOpenssl(openssl: Openssl, args: string[]): Promise<void> {
  let result;
  try {
    result = await openssl.runner.run('openssl', args, { timeoutMs: 30_000 });
  } catch (err) {
    if (err instanceof CommandNotRunError && err.code === 'ENOENT') {
      throw new MissingToolError('openssl', 'apt-get install openssl', openssl.purpose);
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
