import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { WorkloadRef } from '../../platform/chaos-api.js';
import { ClusterDns } from './cluster-dns.js';
import { candidates } from './dns-shim.js';
import {
  buildAnswer,
  buildQuery,
  parseAnswer,
  parseQuery,
  RCODE_NXDOMAIN,
  RCODE_SERVFAIL,
} from './dns-wire.js';
import { DNS_SHIM } from './image-commands.js';

const FRONTEND_IP = '127.0.0.1';
const CHECKOUT_IP = '127.0.0.2';

function world(failing: Array<[client: string, service: string]> = []): ClusterDns {
  const services: Record<string, string> = { 'shop/catalog': '127.77.0.10', 'shop/cart': '127.77.0.11' };
  const pods: Record<string, string> = { [FRONTEND_IP]: 'frontend', [CHECKOUT_IP]: 'checkout' };
  return new ClusterDns({
    clusterIp: (ns, name) => services[`${ns}/${name}`],
    workloadAt: (ip) => (pods[ip] ? { namespace: 'shop', name: pods[ip] } : undefined),
    lookupFails: (client: WorkloadRef | undefined, service: WorkloadRef) =>
      failing.some(([c, s]) => client?.name === c && service.name === s),
  });
}

let dns: ClusterDns | undefined;
afterEach(async () => {
  await dns?.stop();
  dns = undefined;
});

async function resolverAt(address: string, from: string): Promise<Resolver> {
  const r = new Resolver({ timeout: 1000, tries: 1 });
  r.setServers([address]);
  r.setLocalAddress(from);
  return r;
}

describe('DNS wire format', () => {
  it('reads a query back and answers it with one A record, or an rcode alone', () => {
    const q = parseQuery(buildQuery(4242, 'Catalog.Shop.svc.cluster.local'));
    expect(q).toMatchObject({ id: 4242, name: 'catalog.shop.svc.cluster.local', type: 1, rd: true });
    expect(parseAnswer(buildAnswer(q!, 0, '127.77.0.10'))).toEqual({
      id: 4242,
      rcode: 0,
      addresses: ['127.77.0.10'],
    });
    expect(parseAnswer(buildAnswer(q!, RCODE_NXDOMAIN))).toEqual({ id: 4242, rcode: 3, addresses: [] });
  });

  it('drops what is not a standard query', () => {
    expect(parseQuery(Buffer.from([1, 2, 3]))).toBeUndefined();
    const response = buildQuery(1, 'a');
    response.writeUInt16BE(0x8100, 2);
    expect(parseQuery(response)).toBeUndefined();
    expect(parseQuery(buildQuery(1, 'catalog').subarray(0, 16))).toBeUndefined();
  });
});

describe('the pod search path (ndots 5)', () => {
  it('tries the namespace, svc and cluster domains first, then the name as written', () => {
    expect(candidates('catalog', 'shop')).toEqual([
      'catalog.shop.svc.cluster.local',
      'catalog.svc.cluster.local',
      'catalog.cluster.local',
      'catalog',
    ]);
    expect(candidates('catalog.shop.svc.cluster.local.', 'shop')).toEqual(['catalog.shop.svc.cluster.local']);
  });
});

describe('ClusterDns (real UDP)', () => {
  it("answers a Service's name with its ClusterIP and every other name with NXDOMAIN", async () => {
    dns = world();
    const r = await resolverAt(await dns.start(), FRONTEND_IP);
    expect(await r.resolve4('catalog.shop.svc.cluster.local')).toEqual(['127.77.0.10']);
    await expect(r.resolve4('catalgo.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(r.resolve4('catalog.shop.shop.svc.cluster.local')).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });

  it("fails a caller's lookups of a Service with SERVFAIL under DNS chaos, by the caller's address", async () => {
    dns = world([['frontend', 'catalog']]);
    expect(dns.answer('catalog.shop.svc.cluster.local', FRONTEND_IP).rcode).toBe(RCODE_SERVFAIL);
    const address = await dns.start();
    await expect(
      (await resolverAt(address, FRONTEND_IP)).resolve4('catalog.shop.svc.cluster.local'),
    ).rejects.toMatchObject({
      code: 'ESERVFAIL',
    });
    expect(await (await resolverAt(address, CHECKOUT_IP)).resolve4('catalog.shop.svc.cluster.local')).toEqual(
      ['127.77.0.10'],
    );
    expect(await (await resolverAt(address, FRONTEND_IP)).resolve4('cart.shop.svc.cluster.local')).toEqual([
      '127.77.0.11',
    ]);
  });
});

describe('dns-shim in a real Node process (built: npm run build)', () => {
  // The child connects to the name and prints what getaddrinfo would have said: the address, or the error.
  const probe = `
    import net from 'node:net';
    const s = net.connect({ host: process.argv[1], port: 9 });
    s.on('lookup', (err, address) => { console.log(err ? err.code + ' ' + err.message : 'address ' + address); process.exit(0); });
    s.on('error', (err) => { console.log(err.code + ' ' + err.message); process.exit(0); });
  `;

  async function lookupInPod(address: string, name: string): Promise<string> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        pathToFileURL(join(process.cwd(), DNS_SHIM)).href,
        '--input-type=module',
        '-e',
        probe,
        name,
      ],
      {
        env: {
          PATH: process.env.PATH,
          FIREDRILL_CLUSTER_DNS: address,
          FIREDRILL_POD_IP: FRONTEND_IP,
          FIREDRILL_POD_NAMESPACE: 'shop',
        },
        timeout: 10_000,
      },
    );
    return stdout.trim();
  }

  it('resolves Service names through the search path and fails as getaddrinfo does', async () => {
    dns = world([['frontend', 'cart']]);
    const address = await dns.start();
    expect(await lookupInPod(address, 'catalog')).toBe('address 127.77.0.10');
    expect(await lookupInPod(address, 'catalog.shop')).toBe('address 127.77.0.10');
    expect(await lookupInPod(address, 'catalgo')).toBe('ENOTFOUND getaddrinfo ENOTFOUND catalgo');
    expect(await lookupInPod(address, 'cart')).toBe('EAI_AGAIN getaddrinfo EAI_AGAIN cart');
  });
});
