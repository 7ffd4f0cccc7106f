import { ContainerPaths } from './container-paths.js';

describe('ContainerPaths', () => {
  it("shows a pod's volume at its mount path and the checkout as the image's /app", () => {
    const paths = new ContainerPaths('/work/run', '/tmp/kubelet-HZtzJW');
    const dir = '/tmp/kubelet-HZtzJW/pods/5f1c-uid/volumes/kubernetes.io~configmap/config';
    paths.mount(dir, '/etc/shop/');
    expect(paths.present(`config read from ${dir}/config.json: ok`)).toBe(
      'config read from /etc/shop/config.json: ok',
    );
    expect(paths.present('at Parser.parse (/work/run/node_modules/pg-protocol/dist/parser.js:12:3)')).toBe(
      'at Parser.parse (/app/node_modules/pg-protocol/dist/parser.js:12:3)',
    );
    // A volume nobody mounted keeps its path; text without either prefix is left alone.
    const other = '/tmp/kubelet-HZtzJW/pods/9a-uid/volumes/kubernetes.io~secret/auth';
    expect(paths.present(other)).toBe(other);
    expect(paths.present('GET /products 200')).toBe('GET /products 200');
  });
});
