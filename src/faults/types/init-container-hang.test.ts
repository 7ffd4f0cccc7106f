import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { Container } from '../../kube/kube-object.js';
import {
  asLive,
  contextFor,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  templateSpec,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import {
  itAppliesOverApiServer,
  itRestoresAfterLostReply,
} from '../../../tests/fixtures/faults/rollout-contract.js';
import { defaultStepName, initContainerHang, waitStepCommand } from './init-container-hang.js';
import { substratesProviding } from '../../substrates/registry.js';

/** The init container the fault adds to frontend, cart or checkout (whose containers share these settings). */
const waitStep = (name = 'wait-for-db', waitFor = 'db:5432'): Container => ({
  name,
  image: 'acme/shop:0.1.0',
  imagePullPolicy: 'IfNotPresent',
  command: waitStepCommand(waitFor),
  resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '500m', memory: '192Mi' } },
  securityContext: {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  },
});

/**
 * Runs a step command's script with this Node.js until it exits or has printed `lines` lines (then stops
 * it), as the kubelet would run it in the shop image.
 */
function runStep(command: string[], lines: number): Promise<{ code: number | null; out: string[] }> {
  expect(command.slice(0, 2)).toEqual(['node', '-e']);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    const timer = setTimeout(() => child.kill(), 10_000);
    child.stdout.on('data', (b: Buffer) => {
      text += b.toString('utf8');
      if (text.split('\n').length > lines) child.kill();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out: text.split('\n').filter((l) => l !== '') });
    });
  });
}

/** A local port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('init-container-hang', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on Kubernetes only', () => {
    expect(initContainerHang.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(initContainerHang.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('defaults to waiting for db:5432 (the shop serves its database as postgres); the step is named after the host', () => {
    expect(initContainerHang.params.parse({})).toEqual({ waitFor: 'db:5432' });
    expect(
      initContainerHang.params.parse({ waitFor: 'orders-db.data.svc:5432', name: 'wait-db', container: 'x' }),
    ).toEqual({ waitFor: 'orders-db.data.svc:5432', name: 'wait-db', container: 'x' });
    expect(defaultStepName('postgres:5432')).toBe('wait-for-postgres');
    expect(defaultStepName('orders-db.data.svc.cluster.local:5432')).toBe('wait-for-orders-db');
    expect(defaultStepName('10.96.20.7:3306')).toBe('wait-for-db');
    expect(defaultStepName(`${'a'.repeat(54)}-b:1`)).toBe(`wait-for-${'a'.repeat(54)}`);
  });

  const ADDRESS = 'waitFor: must be host:port with a lower-case host name or IPv4 address, e.g. db:5432';
  it.each([
    [{ waitFor: 'postgres' }, ADDRESS],
    [{ waitFor: '5432' }, ADDRESS],
    [{ waitFor: 'postgres:0' }, ADDRESS],
    [{ waitFor: 'postgres:65536' }, ADDRESS],
    [{ waitFor: 'Postgres:5432' }, ADDRESS],
    [{ waitFor: 'postgres:54a' }, ADDRESS],
    [{ waitFor: 'http://postgres:5432' }, ADDRESS],
    [{ waitFor: 5432 }, 'waitFor: Invalid input: expected string, received number'],
    [{ name: 'Wait' }, 'name: must be a container name (lower-case letters, digits and "-")'],
    [{ name: 'w'.repeat(64) }, 'name: must be at most 63 characters'],
    [{ host: 'postgres' }, '(params): Unrecognized key: "host"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(initContainerHang, params)).toEqual([problem]);
  });

  it('names the Deployment as the root cause and expects the pending, unready pod', () => {
    const ref = { namespace: 'shop', kind: 'Deployment', name: 'cart' };
    const p = initContainerHang.params.parse({});
    expect(initContainerHang.groundTruth(ref, p)).toEqual(['shop/Deployment/cart']);
    expect(initContainerHang.expectedAlerts(ref, p)).toEqual(['KubePodNotReady', 'KubePodPending']);
  });

  it('the step keeps waiting, saying so, while nothing answers', async () => {
    const port = await closedPort();
    const run = await runStep(waitStepCommand(`127.0.0.1:${port}`), 2);
    // Stopped by the test (a signal), not finished by itself.
    expect(run.code).toBeNull();
    expect(run.out.slice(0, 2)).toEqual([
      `waiting for 127.0.0.1:${port}`,
      `waiting for 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    ]);
  });

  it('the step finishes once the address answers (so an address that answers would stage nothing)', async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    try {
      const run = await runStep(waitStepCommand(`127.0.0.1:${port}`), 5);
      expect(run).toEqual({ code: 0, out: [`waiting for 127.0.0.1:${port}`, `127.0.0.1:${port} is up`] });
    } finally {
      server.close();
    }
  });

  it('rolls out the Deployment with only the init container added, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await initContainerHang.inject(
      contextFor(initContainerHang, target, 'shop/Deployment/cart'),
    );

    const expected = shop.get('shop/Deployment/cart');
    templateSpec(expected).initContainers = [waitStep()];
    expect(await target.objects.get('Deployment', 'shop', 'cart')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Deployment/cart']);
    expect(undo.description).toBe('restore Deployment shop/Deployment/cart');

    await undo.undo();
    expect(target.objects.calls).toEqual(['apply shop/Deployment/cart', 'apply shop/Deployment/cart']);
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'cart'))).toStrictEqual(
      shop.get('shop/Deployment/cart'),
    );
  });

  it('uses the given address and name', async () => {
    const target = shopTarget(shop);
    await initContainerHang.inject(
      contextFor(initContainerHang, target, 'shop/Deployment/frontend', {
        waitFor: 'session-store.cache:6380',
        name: 'wait-for-sessions',
      }),
    );
    const expected = shop.get('shop/Deployment/frontend');
    templateSpec(expected).initContainers = [waitStep('wait-for-sessions', 'session-store.cache:6380')];
    expect(await target.objects.get('Deployment', 'shop', 'frontend')).toStrictEqual(expected);
  });

  it('appends after init containers the Deployment already has, and undo restores that list exactly', async () => {
    const target = shopTarget(shop);
    const seeded = shop.get('shop/Deployment/cart');
    const existing: Container = {
      name: 'migrate',
      image: 'acme/shop:0.1.0',
      command: ['node', 'dist/apps/shop/src/main.js', 'migrate'],
      env: [{ name: 'LOG_LEVEL', value: 'debug' }],
    };
    templateSpec(seeded).initContainers = [existing];
    target.objects.objects.set('shop/Deployment/cart', asLive(seeded, 99));

    const undo = await initContainerHang.inject(
      contextFor(initContainerHang, target, 'shop/Deployment/cart'),
    );
    const expected = structuredClone(seeded);
    templateSpec(expected).initContainers = [existing, waitStep()];
    expect(await target.objects.get('Deployment', 'shop', 'cart')).toStrictEqual(expected);

    await undo.undo();
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'cart'))).toStrictEqual(seeded);
  });

  itAppliesOverApiServer(
    initContainerHang,
    () => shop,
    'shop/Deployment/cart',
    (d) => {
      templateSpec(d).initContainers = [waitStep()];
    },
  );

  it.each([
    ['redis:6379', 'Service shop/redis serves port 6379'],
    ['postgres:5432', 'Service shop/postgres serves port 5432'],
    ['catalog.shop:8080', 'Service shop/catalog serves port 8080'],
    ['catalog.shop.svc.cluster.local:8080', 'Service shop/catalog serves port 8080'],
  ])('refuses %s, an address a Service serves, changing nothing', async (waitFor, what) => {
    const target = shopTarget(shop);
    const err = await injectError(
      initContainerHang,
      contextFor(initContainerHang, target, 'shop/Deployment/cart', { waitFor }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      `${what}, so the init step would not wait; name an address nothing answers on, e.g. db:5432`,
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('accepts a Service name on a port it does not serve (nothing answers there either)', async () => {
    const target = shopTarget(shop);
    await initContainerHang.inject(
      contextFor(initContainerHang, target, 'shop/Deployment/cart', { waitFor: 'redis:5432' }),
    );
    expect(target.objects.calls).toEqual(['apply shop/Deployment/cart']);
  });

  it.each([
    [
      { name: 'cart' },
      'shop/Deployment/cart',
      'shop/Deployment/cart already has a container named "cart"; choose another name',
    ],
    [
      { container: 'redis' },
      'shop/Deployment/cart',
      'Deployment shop/cart has no container "redis"; its containers: cart',
    ],
    [
      {},
      'shop/Deployment/redis',
      'container "redis" of shop/Deployment/redis does not run node (command: redis-server), so its image cannot run the init step; target a shop service',
    ],
    [{}, 'shop/Deployment/carts', 'fault target shop/Deployment/carts does not exist'],
  ])('refuses %j on %s, changing nothing', async (params, entity, message) => {
    const target = shopTarget(shop);
    const err = await injectError(initContainerHang, contextFor(initContainerHang, target, entity, params));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(message);
    expect(target.objects.calls).toEqual([]);
  });

  itRestoresAfterLostReply(initContainerHang, () => shop, 'shop/Deployment/cart');
});
