import type { KubeObject } from '../kube/kube-object.js';
import { rerunSetupJobs } from './setup-jobs.js';

const obj = (kind: string, name: string): KubeObject => ({
  apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1',
  kind,
  metadata: { name, namespace: 'shop' },
});

describe('rerunSetupJobs', () => {
  it("deletes the manifests' Jobs, then applies them again; nothing else is touched", async () => {
    const calls: string[] = [];
    const api = {
      delete: async (kind: string, ns: string | undefined, name: string) => {
        calls.push(`delete ${kind} ${ns}/${name}`);
        return true;
      },
      apply: async (o: KubeObject) => {
        calls.push(`apply ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
        return o;
      },
    };
    const manifests = [
      obj('Deployment', 'inventory'),
      obj('Job', 'db-migrate'),
      obj('CronJob', 'cart-cleanup'),
    ];
    expect(await rerunSetupJobs(api, manifests)).toEqual(['db-migrate']);
    expect(calls).toEqual(['delete Job shop/db-migrate', 'apply Job shop/db-migrate']);
  });
});
