import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate, createPublicKey, createPrivateKey } from 'node:crypto';
import { CommandNotRunError } from '../../errors/command-not-run-error.js';
import { MissingToolError } from '../../errors/missing-tool-error.js';
import type { CommandRunner } from '../../process/command-runner.js';
import { createControlPlanePki } from './control-plane-pki.js';

describe('createControlPlanePki (real openssl)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-pki-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('issues a serving certificate for loopback and the in-cluster names, signed by a fresh CA', async () => {
    const pki = await createControlPlanePki(join(dir, 'a'));
    const ca = new X509Certificate(readFileSync(pki.caCert));
    const serving = new X509Certificate(readFileSync(pki.servingCert));
    expect(ca.ca).toBe(true);
    expect(serving.ca).toBe(false);
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(serving.checkHost('localhost')).toBe('localhost');
    expect(serving.checkHost('kubernetes.default.svc')).toBe('kubernetes.default.svc');
    expect(serving.checkIP('10.96.0.1')).toBe('10.96.0.1');
    expect(serving.checkHost('example.com')).toBeUndefined();
    // openssl itself agrees the chain is valid for a TLS server.
    const verified = execFileSync(
      'openssl',
      ['verify', '-purpose', 'sslserver', '-CAfile', pki.caCert, pki.servingCert],
      {
        encoding: 'utf8',
      },
    );
    expect(verified.trim()).toBe(`${pki.servingCert}: OK`);
  });

  it('writes a service-account key pair whose halves match', async () => {
    const pki = await createControlPlanePki(join(dir, 'b'));
    const priv = createPrivateKey(readFileSync(pki.serviceAccountKey));
    const pub = createPublicKey(readFileSync(pki.serviceAccountPub));
    expect(priv.asymmetricKeyType).toBe('rsa');
    expect(createPublicKey(priv).export({ format: 'pem', type: 'spki' })).toBe(
      pub.export({ format: 'pem', type: 'spki' }),
    );
  });

  it('names openssl and how to install it when it is missing', async () => {
    const runner: CommandRunner = {
      run: () => Promise.reject(new CommandNotRunError('openssl req', 'ENOENT', 'not found')),
    };
    await expect(createControlPlanePki(join(dir, 'c'), { runner })).rejects.toThrow(MissingToolError);
    await expect(createControlPlanePki(join(dir, 'c'), { runner })).rejects.toThrow(
      /openssl not found.*apt-get install openssl/,
    );
  });

  it('reports what openssl said when it fails, without the key-generation dots', async () => {
    const runner: CommandRunner = {
      run: (command, args) =>
        Promise.resolve({
          command: `${command} ${args[0]}`,
          exitCode: 1,
          stdout: '',
          stderr: '....+++++\n-----\nreq: Unknown option -CA\n',
        }),
    };
    await expect(createControlPlanePki(join(dir, 'd'), { runner })).rejects.toThrow(
      'openssl req failed (exit 1):\nreq: Unknown option -CA',
    );
  });
});
