import { KubeConfig } from '@kubernetes/client-node';
import { renderKubeconfig } from './kubeconfig-file.js';

describe('renderKubeconfig', () => {
  it('gives client-node a context with the server, the embedded CA and the token', async () => {
    const caPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const kc = new KubeConfig();
    kc.loadFromString(
      renderKubeconfig({ name: 'fd', server: 'https://127.0.0.1:6443', caPem, token: 'abc' }),
    );
    expect(kc.getCurrentContext()).toBe('fd');
    expect(kc.getCurrentCluster()).toMatchObject({ name: 'fd', server: 'https://127.0.0.1:6443' });
    expect(Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString('utf8')).toBe(caPem);
    const opts: { headers?: Record<string, string> } = {};
    await kc.applyToHTTPSOptions(opts);
    expect(opts.headers?.Authorization).toBe('Bearer abc');
  });
});
