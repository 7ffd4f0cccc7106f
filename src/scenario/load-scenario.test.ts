import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { formatProblem, ScenarioError } from '../errors/scenario-error.js';
import { FaultRegistry } from '../faults/fault-registry.js';
import { testDelayFault, testRegistry } from '../faults/testing/test-fault.js';
import { REPO_ROOT } from '../version.js';
import { checkScenarioFile, checkScenarioText, loadScenarioFile, loadScenarioText } from './load-scenario.js';
import { scenarioHash } from './scenario-hash.js';

const DIR = join(REPO_ROOT, 'tests', 'fixtures', 'scenario');
const fixture = (name: string) => join(DIR, name);
const registry = testRegistry();
const HINT = 'a duration is a number with a unit: 1500ms, 30s, 2m, 1h or 1m30s';

async function lines(name: string): Promise<string[]> {
  const r = await checkScenarioFile(fixture(name), registry);
  return r.problems.map(formatProblem);
}

describe('scenario problems are reported at file:line:col: path', () => {
  it.each<[string, string[]]>([
    [
      'syntax-error.yaml',
      [
        'syntax-error.yaml:9:3: (root): YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ],
    ],
    [
      'duplicate-key.yaml',
      ['duplicate-key.yaml:14:3: spec.seed: duplicate key "seed"; first given at line 9'],
    ],
    [
      'unknown-field.yaml',
      [
        'unknown-field.yaml:15:5: spec.observe.timout: unknown field "timout"; allowed here: warmup, window, until, timeout',
      ],
    ],
    [
      'unknown-fault-type.yaml',
      [
        'unknown-fault-type.yaml:13:13: spec.faults.1.type: unknown fault type "disk-full"; known types: test-delay, test-dns, test-errors',
      ],
    ],
    [
      'bad-params.yaml',
      [
        'bad-params.yaml:13:18: spec.faults.0.params.delayMs: expected number, received string',
        'bad-params.yaml:14:19: spec.faults.0.params.jitterMs: Too small: expected number to be >=0',
        'bad-params.yaml:15:9: spec.faults.0.params.colour: unknown field "colour"; allowed here: delayMs, jitterMs',
      ],
    ],
    [
      'unsupported-substrate.yaml',
      [
        'unsupported-substrate.yaml:8:16: spec.substrates.0: fault type "test-dns" (spec.faults.0) does not run on substrate "local": it needs cluster-dns, which local does not provide; it runs on: kind, kubeconfig',
      ],
    ],
    [
      'bad-entity-id.yaml',
      [
        'bad-entity-id.yaml:11:15: spec.faults.0.target: "shop/Widget/payment": unknown kind "Widget"; a valid id is namespace/Kind/name (e.g. shop/Deployment/cart) or, for cluster-scoped kinds, Kind/name (e.g. Node/kind-worker)',
        'bad-entity-id.yaml:14:15: spec.faults.1.target: fault type "test-delay" cannot target a Service; it targets: Deployment, StatefulSet',
        'bad-entity-id.yaml:19:19: spec.groundTruth.rootCauses.0.aliases.0: "Deployment/payment": Deployment is namespaced: write namespace/Deployment/payment; a valid id is namespace/Kind/name (e.g. shop/Deployment/cart) or, for cluster-scoped kinds, Kind/name (e.g. Node/kind-worker)',
      ],
    ],
    [
      'wrong-api-version.yaml',
      ['wrong-api-version.yaml:1:13: apiVersion: apiVersion must be "firedrill/v1"'],
    ],
    [
      'missing-required.yaml',
      [
        // A missing field points at the mapping that should hold it: `metadata:` and the fault's first line.
        'missing-required.yaml:3:1: metadata.id: required field is missing',
        'missing-required.yaml:9:7: spec.faults.0.target: required field is missing',
      ],
    ],
    [
      'bad-duration.yaml',
      [
        `bad-duration.yaml:13:11: spec.faults.0.at: 30 has no unit; ${HINT}`,
        `bad-duration.yaml:15:13: spec.observe.warmup: "2 minutes" is not a duration; ${HINT}`,
        `bad-duration.yaml:16:14: spec.observe.timeout: "5d" is not a duration; ${HINT}`,
      ],
    ],
  ])('%s', async (name, expected) => {
    expect(await lines(name)).toEqual(expected.map((l) => join(DIR, l)));
  });

  it('reports an unknown field at its key even inside a list item', () => {
    const text = readFileSync(fixture('minimal.yaml'), 'utf8').replace('params:', 'parms:');
    const r = checkScenarioText(text, 'x.yaml', registry);
    expect(r.problems.map(formatProblem)).toEqual(
      [
        'x.yaml:12:7: spec.faults.0.parms: unknown field "parms"; allowed here: type, target, params, at, duration',
        // The fault's own schema then sees no params at all: the missing one points at the fault.
        'x.yaml:10:7: spec.faults.0.params.rate: required field is missing',
      ].sort(byPosition),
    );
  });

  it('reports an empty file and a file that is not a mapping', () => {
    expect(checkScenarioText('# nothing\n', 'e.yaml', registry).problems.map(formatProblem)).toEqual([
      'e.yaml:1:1: (root): empty file; a scenario starts with apiVersion: firedrill/v1',
    ]);
    expect(checkScenarioText('- a\n- b\n', 'l.yaml', registry).problems.map(formatProblem)).toEqual([
      'l.yaml:1:1: (root): expected object, received array',
    ]);
  });

  it('refuses a second YAML document in the same file', () => {
    const text = readFileSync(fixture('minimal.yaml'), 'utf8') + '---\nother: doc\n';
    const [p] = checkScenarioText(text, 'm.yaml', registry).problems;
    expect(p).toMatchObject({ line: 13, col: 1, path: '' });
    expect(p.message).toBe('YAML: a second document (after ---); a scenario file holds exactly one');
  });

  it('refuses a fault starting after the observation timeout', () => {
    const text = readFileSync(fixture('valid.yaml'), 'utf8').replace('at: 0s', 'at: 4m');
    expect(checkScenarioText(text, 'v.yaml', registry).problems.map(formatProblem)).toEqual([
      'v.yaml:21:11: spec.faults.0.at: fault starts at 4m, not before observe.timeout (4m) ends the wait',
    ]);
  });

  it('reports many problems of one file in one pass, sorted by position', async () => {
    const text = [
      'apiVersion: firedrill/v1',
      'kind: Scenaro',
      'metadata: {id: x, title: ""}',
      'spec:',
      '  app: petstore',
      '  substrates: [local, moon]',
      '  faults:',
      '    - {type: test-delay, target: shop/deploy/a, params: {delayMs: 0}}',
      '  load: {mix: {browse: 0}}',
    ].join('\n');
    const got = checkScenarioText(text, 'many.yaml', registry).problems.map(
      (p) => `${p.line}:${p.col} ${p.path}`,
    );
    expect(got).toEqual([
      '2:7 kind',
      '3:26 metadata.title',
      '5:8 spec.app',
      '6:23 spec.substrates.1',
      '8:67 spec.faults.0.params.delayMs',
      '9:10 spec.load.mix',
    ]);
  });
});

function byPosition(a: string, b: string): number {
  const pos = (s: string) => s.split(':').slice(1, 3).map(Number);
  const [la, ca] = pos(a);
  const [lb, cb] = pos(b);
  return la - lb || ca - cb;
}

describe('loading valid scenarios', () => {
  it('resolves the full example: ids normalised, durations in ms, source kept', async () => {
    const s = await loadScenarioFile(fixture('valid.yaml'), registry);
    expect(s.metadata).toEqual({
      id: 'payment-latency',
      title: 'Payment calls slow down',
      description: 'The payment service answers 800 ms late; checkout latency alerts fire.',
      tags: ['latency', 'payment'],
    });
    expect(s.spec.substrates).toEqual(['local', 'kind']);
    expect(s.spec.seed).toBe(42);
    expect(s.spec.load).toEqual({ rps: 12, mix: { browse: 0.6, cart: 0.3, checkout: 0.1 } });
    expect(s.spec.faults).toEqual([
      {
        type: 'test-delay',
        target: 'shop/Deployment/payment',
        targetRef: { namespace: 'shop', kind: 'Deployment', name: 'payment' },
        params: { delayMs: 800, jitterMs: 0 },
        atMs: 0,
        durationMs: 300_000,
      },
    ]);
    expect(s.spec.observe).toEqual({
      warmupMs: 60_000,
      window: { beforeMs: 45_000, afterMs: 15_000 },
      until: { alerts: ['TestHighLatency'], mode: 'any' },
      timeoutMs: 240_000,
    });
    expect(s.spec.groundTruth).toEqual({
      rootCauses: [{ id: 'shop/Deployment/payment', aliases: ['shop/Service/payment'] }],
      source: 'scenario',
    });
    expect(s.spec.expect).toEqual({ alerts: ['TestHighLatency'] });
    expect(s.sourceFile).toBe(fixture('valid.yaml'));
  });

  it('fills defaults and takes ground truth and alerts from the fault types', async () => {
    const s = await loadScenarioFile(fixture('minimal.yaml'), registry);
    expect(s.spec.seed).toBe(1);
    expect(s.spec.load).toEqual({ rps: 10, mix: { browse: 0.6, cart: 0.3, checkout: 0.1 } });
    expect(s.spec.faults[0]).toMatchObject({ params: { rate: 0.3 }, atMs: 0 });
    expect(s.spec.faults[0].durationMs).toBeUndefined();
    expect(s.spec.observe).toEqual({
      warmupMs: 60_000,
      window: { beforeMs: 60_000, afterMs: 0 },
      until: { alerts: ['TestHighErrorRate', 'TestHighLatency'], mode: 'any' },
      timeoutMs: 300_000,
    });
    expect(s.spec.groundTruth).toEqual({
      rootCauses: [{ id: 'shop/Deployment/cart', aliases: [] }],
      source: 'faults',
    });
    expect(s.spec.expect.alerts).toEqual(['TestHighErrorRate', 'TestHighLatency']);
  });

  it('adds the aliases a fault type declares to its root causes (the network scenarios)', async () => {
    const shop = join(REPO_ROOT, 'scenarios/shop');
    const delay = await loadScenarioFile(join(shop, 'checkout-payment-link-slow.yaml'));
    expect(delay.spec.groundTruth).toEqual({
      rootCauses: [{ id: 'shop/Deployment/payment', aliases: ['shop/Deployment/checkout'] }],
      source: 'faults',
    });
    const partition = await loadScenarioFile(join(shop, 'checkout-payment-partition.yaml'));
    expect(partition.spec.groundTruth?.rootCauses).toEqual([
      { id: 'shop/Deployment/payment', aliases: [] },
      { id: 'shop/Deployment/checkout', aliases: [] },
    ]);
    const dns = await loadScenarioFile(join(shop, 'cart-catalog-name-unresolvable.yaml'));
    expect(dns.spec.groundTruth?.rootCauses).toEqual([
      { id: 'shop/Deployment/cart', aliases: ['shop/Service/catalog'] },
    ]);
  });

  it('keeps an explicitly empty expect.alerts (a fault meant to stay silent)', () => {
    const text = readFileSync(fixture('minimal.yaml'), 'utf8') + '  expect: {alerts: []}\n';
    const s = loadScenarioText(text, 'silent.yaml', registry);
    expect(s.spec.expect.alerts).toEqual([]);
    expect(s.spec.observe.until.alerts).toEqual([]);
  });

  it('throws a ScenarioError (exit 2) carrying every problem', async () => {
    const err = await loadScenarioFile(fixture('bad-params.yaml'), registry).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    const se = err as ScenarioError;
    expect(se.exitCode).toBe(2);
    expect(se.problems).toHaveLength(3);
    expect(se.message.split('\n')).toHaveLength(3);
  });

  it('uses the default (empty for now) catalog when no registry is given', async () => {
    const err = (await loadScenarioFile(fixture('valid.yaml')).catch((e: unknown) => e)) as ScenarioError;
    expect(err.problems.map((p) => p.path)).toEqual(['spec.faults.0.type']);
  });

  it('reports a fault type whose ground truth is not an entity id as a bug of that type', () => {
    const broken = new FaultRegistry([{ ...testDelayFault(), groundTruth: () => ['payment'] }]);
    const text = readFileSync(fixture('minimal.yaml'), 'utf8')
      .replace('test-errors', 'test-delay')
      .replace('[kubeconfig]', '[local]')
      .replace('{rate: 0.3}', '{delayMs: 1}');
    const r = checkScenarioText(text, 'b.yaml', broken);
    expect(r.problems).toHaveLength(1);
    expect(formatProblem(r.problems[0])).toMatch(
      /^b\.yaml:10:13: spec\.faults\.0\.type: .*a bug in the fault type/,
    );
  });
});

describe('scenarioHash', () => {
  const base = readFileSync(fixture('valid.yaml'), 'utf8');
  const hash = (text: string, file = 'a.yaml') => scenarioHash(loadScenarioText(text, file, registry));

  it('is a sha256 hex digest that ignores the file name, comments, key order and spelling', () => {
    const h = hash(base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(base, 'elsewhere/b.yaml')).toBe(h);
    const respelt = base
      .replace('# Uses', '# A comment that changed. Uses')
      .replace('shop/deploy/payment', 'shop/Deployment/payment')
      .replace('duration: 5m', 'duration: 300s')
      .replace('seed: 42\n  load:', 'load:')
      .replace('  faults:', '  seed: 42\n  faults:');
    expect(respelt).not.toBe(base);
    expect(hash(respelt)).toBe(h);
  });

  it('is the hash it had before preconditions existed, for a scenario without any (the dev split and corpus rows key on it)', () => {
    expect(hash(base)).toBe('2e3af9186c8ca3affebc674cbc75c5c16ee3640752b50db34abc27b59c43ca6a');
  });

  it('changes when anything that affects the run changes', () => {
    const h = hash(base);
    expect(hash(base.replace('seed: 42', 'seed: 43'))).not.toBe(h);
    expect(hash(base.replace('delayMs: 800', 'delayMs: 801'))).not.toBe(h);
    expect(hash(base.replace('warmup: 60s', 'warmup: 61s'))).not.toBe(h);
  });
});

describe('spec.preconditions', () => {
  const base = readFileSync(fixture('valid.yaml'), 'utf8');
  const withPreconditions = (items: string) =>
    base.replace('  observe:', `  preconditions:\n${items}  observe:`);

  it('resolves each with the params of its type, never into the truth, and stays out of the hash when absent', () => {
    const s = loadScenarioText(
      withPreconditions('    - {type: test-delay, target: shop/deploy/frontend, params: {delayMs: 50}}\n'),
      'p.yaml',
      registry,
    );
    expect(s.spec.preconditions).toEqual([
      {
        type: 'test-delay',
        target: 'shop/Deployment/frontend',
        targetRef: { namespace: 'shop', kind: 'Deployment', name: 'frontend' },
        params: { delayMs: 50, jitterMs: 0 },
      },
    ]);
    expect(s.spec.groundTruth.rootCauses.map((r) => r.id)).toEqual(['shop/Deployment/payment']);
    const plain = loadScenarioText(base, 'a.yaml', registry);
    expect(plain.spec.preconditions).toBeUndefined();
    expect(
      scenarioHash(
        loadScenarioText(
          withPreconditions('    []\n').replace('preconditions:\n    []', 'preconditions: []'),
          'e.yaml',
          registry,
        ),
      ),
    ).toBe(scenarioHash(plain));
    expect(scenarioHash(s)).not.toBe(scenarioHash(plain));
  });

  it('reports an unknown type, bad params, a missing target, a type that acts on the running app and a data store, each at its line', () => {
    const text = withPreconditions(
      [
        '    - {type: disk-full, target: shop/Deployment/frontend}',
        '    - {type: test-delay, target: shop/Deployment/frontend, params: {delayMs: fast}}',
        '    - {type: test-delay, target: shop/Deployment/billing, params: {delayMs: 5}}',
        '    - {type: test-errors, target: shop/Deployment/frontend, params: {rate: 0.1}}',
        '    - {type: test-delay, target: shop/Deployment/redis, params: {delayMs: 5}}',
        '',
      ].join('\n'),
    );
    const got = checkScenarioText(text, 'p.yaml', registry).problems.map(formatProblem);
    expect(got).toEqual([
      expect.stringMatching(/^p\.yaml:24:14: spec\.preconditions\.0\.type: unknown fault type "disk-full"/),
      'p.yaml:25:78: spec.preconditions.1.params.delayMs: expected number, received string',
      expect.stringMatching(
        /^p\.yaml:26:34: spec\.preconditions\.2\.target: shop\/Deployment\/billing does not exist in the shop's manifests/,
      ),
      'p.yaml:27:14: spec.preconditions.3.type: fault type "test-errors" cannot be a precondition: it acts on the running app, not on how the app is deployed; precondition types: test-delay',
      'p.yaml:28:34: spec.preconditions.4.target: shop/Deployment/redis holds data and keeps running across runs, so a precondition on it would be a rollout of its own in every run; a precondition changes a workload the reset deploys afresh',
    ]);
  });
});

describe('docs/scenario-format.md', () => {
  it('has a full example that validates', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'scenario-format.md'), 'utf8');
    const example = /## Full example\s+```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const appLatency = {
      ...testDelayFault(),
      id: 'app-latency',
      substrates: ['local', 'kind', 'kubeconfig'] as const,
    };
    const s = loadScenarioText(example ?? '', 'example.yaml', new FaultRegistry([appLatency]));
    expect(s.metadata.id).toBe('payment-latency');
    expect(s.spec.faults[0].target).toBe('shop/Deployment/payment');
  });
});
