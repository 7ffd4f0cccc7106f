import { execFile } from 'node:child_process';
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
  itRefusesMissingTarget,
  itRestoresAfterLostReply,
} from '../../../tests/fixtures/faults/rollout-contract.js';
import { DEFAULT_MIGRATION_ERROR, failingStepCommand, initContainerCrash } from './init-container-crash.js';
import { substratesProviding } from '../../substrates/registry.js';

/** The init container the fault adds to a shop service whose main container is checkout's or cart's. */
const migrate = (name = 'migrate', command = failingStepCommand(DEFAULT_MIGRATION_ERROR, 1)): Container => ({
  name,
  image: 'acme/shop:0.1.0',
  imagePullPolicy: 'IfNotPresent',
  command,
  resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { cpu: '500m', memory: '192Mi' } },
  securityContext: {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  },
});

/** Runs a step command's script with this Node.js, as the kubelet would run it in the shop image. */
function runStep(command: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  expect(command.slice(0, 2)).toEqual(['node', '-e']);
  return new Promise((resolve) => {
    execFile(process.execPath, command.slice(1), { timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

describe('init-container-crash', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on Kubernetes only', () => {
    expect(initContainerCrash.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(initContainerCrash.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('defaults to a failing `migrate` step that exits 1 with a refused connection', () => {
    expect(initContainerCrash.params.parse({})).toEqual({
      name: 'migrate',
      message: 'migration 0042_add_order_currency failed: connect ECONNREFUSED 10.96.87.14:5432',
      exitCode: 1,
    });
    expect(
      initContainerCrash.params.parse({ container: 'cart', name: 'config-check', message: 'x', exitCode: 3 }),
    ).toEqual({ container: 'cart', name: 'config-check', message: 'x', exitCode: 3 });
  });

  it.each([
    [{ name: 'Migrate' }, 'name: must be a container name (lower-case letters, digits and "-")'],
    [{ name: 'migrate-' }, 'name: must be a container name (lower-case letters, digits and "-")'],
    [{ name: 'm'.repeat(64) }, 'name: must be at most 63 characters'],
    [{ message: '' }, 'message: must not be empty'],
    [{ message: 'x'.repeat(501) }, 'message: must be at most 500 characters'],
    [{ exitCode: 0 }, 'exitCode: must be 1 to 255 (non-zero)'],
    [{ exitCode: 256 }, 'exitCode: must be 1 to 255 (non-zero)'],
    [{ exitCode: 1.5 }, 'exitCode: Invalid input: expected int, received number'],
    [{ image: 'busybox' }, '(params): Unrecognized key: "image"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(initContainerCrash, params)).toEqual([problem]);
  });

  it('names the Deployment as the root cause and expects the pending, unready pod', () => {
    const ref = { namespace: 'shop', kind: 'Deployment', name: 'checkout' };
    const p = initContainerCrash.params.parse({});
    expect(initContainerCrash.groundTruth(ref, p)).toEqual(['shop/Deployment/checkout']);
    expect(initContainerCrash.expectedAlerts(ref, p)).toEqual(['KubePodNotReady', 'KubePodPending']);
  });

  it('the step prints the message to stderr and exits with the code (a quote in the message stays text)', async () => {
    expect(await runStep(failingStepCommand(DEFAULT_MIGRATION_ERROR, 1))).toEqual({
      code: 1,
      stdout: '',
      stderr: `${DEFAULT_MIGRATION_ERROR}\n`,
    });
    expect(await runStep(failingStepCommand(`config "x"'; process.exit(0); '`, 78))).toEqual({
      code: 78,
      stdout: '',
      stderr: `config "x"'; process.exit(0); '\n`,
    });
  });

  it('rolls out the Deployment with only the init container added, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await initContainerCrash.inject(
      contextFor(initContainerCrash, target, 'shop/Deployment/checkout'),
    );

    const expected = shop.get('shop/Deployment/checkout');
    templateSpec(expected).initContainers = [migrate()];
    expect(await target.objects.get('Deployment', 'shop', 'checkout')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Deployment/checkout']);
    expect(undo.description).toBe('restore Deployment shop/Deployment/checkout');

    await undo.undo();
    expect(target.objects.calls).toEqual([
      'apply shop/Deployment/checkout',
      'apply shop/Deployment/checkout',
    ]);
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'checkout'))).toStrictEqual(
      shop.get('shop/Deployment/checkout'),
    );
    expect(target.flags.calls).toEqual([]);
  });

  it('uses the given name, message and exit code', async () => {
    const target = shopTarget(shop);
    await initContainerCrash.inject(
      contextFor(initContainerCrash, target, 'shop/Deployment/cart', {
        name: 'config-check',
        message: 'config check failed: REDIS_TLS is required',
        exitCode: 2,
      }),
    );
    const expected = shop.get('shop/Deployment/cart');
    templateSpec(expected).initContainers = [
      migrate('config-check', failingStepCommand('config check failed: REDIS_TLS is required', 2)),
    ];
    expect(await target.objects.get('Deployment', 'shop', 'cart')).toStrictEqual(expected);
  });

  it('appends after init containers the Deployment already has, and undo restores that list exactly', async () => {
    const target = shopTarget(shop);
    const seeded = shop.get('shop/Deployment/checkout');
    const existing: Container = {
      name: 'wait-for-config',
      image: 'busybox:1.36',
      command: ['sh', '-c', 'test -s /etc/shop/config.json'],
      volumeMounts: [{ name: 'config', mountPath: '/etc/shop', readOnly: true }],
    };
    templateSpec(seeded).initContainers = [existing];
    target.objects.objects.set('shop/Deployment/checkout', asLive(seeded, 99));

    const undo = await initContainerCrash.inject(
      contextFor(initContainerCrash, target, 'shop/Deployment/checkout'),
    );
    const expected = structuredClone(seeded);
    templateSpec(expected).initContainers = [existing, migrate()];
    expect(await target.objects.get('Deployment', 'shop', 'checkout')).toStrictEqual(expected);

    await undo.undo();
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'checkout'))).toStrictEqual(
      seeded,
    );
  });

  itAppliesOverApiServer(
    initContainerCrash,
    () => shop,
    'shop/Deployment/checkout',
    (d) => {
      templateSpec(d).initContainers = [migrate()];
    },
  );

  it.each([
    [
      { name: 'checkout' },
      'shop/Deployment/checkout already has a container named "checkout"; choose another name',
    ],
    [
      { container: 'sidecar' },
      'Deployment shop/checkout has no container "sidecar"; its containers: checkout',
    ],
  ])('refuses %j, changing nothing', async (params, message) => {
    const target = shopTarget(shop);
    const err = await injectError(
      initContainerCrash,
      contextFor(initContainerCrash, target, 'shop/Deployment/checkout', params),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(message);
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses an init container name the Deployment already uses for one, changing nothing', async () => {
    const target = shopTarget(shop);
    const seeded = shop.get('shop/Deployment/checkout');
    templateSpec(seeded).initContainers = [{ name: 'migrate', image: 'acme/shop:0.1.0' }];
    target.objects.objects.set('shop/Deployment/checkout', asLive(seeded, 99));
    const err = await injectError(
      initContainerCrash,
      contextFor(initContainerCrash, target, 'shop/Deployment/checkout'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'shop/Deployment/checkout already has a container named "migrate"; choose another name',
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses a container that does not run node (its image could not run the step), changing nothing', async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      initContainerCrash,
      contextFor(initContainerCrash, target, 'shop/Deployment/redis'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'container "redis" of shop/Deployment/redis does not run node (command: redis-server), so its image cannot run the init step; target a shop service',
    );
    expect(target.objects.calls).toEqual([]);
  });

  itRefusesMissingTarget(initContainerCrash, () => shop, 'shop/Deployment/checkouts');

  itRestoresAfterLostReply(initContainerCrash, () => shop, 'shop/Deployment/checkout');
});
