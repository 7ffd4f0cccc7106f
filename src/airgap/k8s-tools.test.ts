import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingToolError } from '../errors/missing-tool-error.js';
import { loadVersions } from '../versions/versions.js';
import { k8sToolsDir, missingK8sTools, requireK8sTools } from './k8s-tools.js';

describe('k8s tools', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-k8s-tools-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lives under the cache, keyed by the pinned Kubernetes version', () => {
    const version = loadVersions().tools.kubernetes;
    expect(k8sToolsDir({ env: { FIREDRILL_CACHE: '/c' } })).toBe(`/c/k8s/${version}/bin`);
    expect(k8sToolsDir({ env: { HOME: '/h' }, cacheDir: '/x', version: 'v1.2.3' })).toBe('/x/k8s/v1.2.3/bin');
  });

  it('reports missing and non-executable binaries, and says how to build them', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'etcd'), '#!/bin/sh\n');
    chmodSync(join(bin, 'etcd'), 0o755);
    writeFileSync(join(bin, 'kubectl'), 'not executable');
    expect(missingK8sTools(bin)).toEqual(['kube-apiserver', 'kube-controller-manager', 'kubectl']);
    expect(() => requireK8sTools(bin)).toThrow(MissingToolError);
    expect(() => requireK8sTools(bin)).toThrow(
      /kube-apiserver not found .*missing: kube-apiserver, kube-controller-manager, kubectl.*make k8s-tools/,
    );
  });

  it('gives every path once all four are there', () => {
    const bin = join(dir, 'full');
    mkdirSync(bin);
    for (const n of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl']) {
      writeFileSync(join(bin, n), '#!/bin/sh\n');
      chmodSync(join(bin, n), 0o755);
    }
    expect(requireK8sTools(bin)).toEqual({
      etcd: join(bin, 'etcd'),
      'kube-apiserver': join(bin, 'kube-apiserver'),
      'kube-controller-manager': join(bin, 'kube-controller-manager'),
      kubectl: join(bin, 'kubectl'),
    });
  });
});
