import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem } from '../errors/scenario-error.js';
import { REPO_ROOT } from '../version.js';
import { checkScenarioFile, checkScenarioText } from './load-scenario.js';
import { MAX_SCENARIO_BYTES, MAX_YAML_ALIASES } from './yaml-limits.js';

/** A valid scenario on the real catalog, edited per test. */
const VALID = readFileSync(join(REPO_ROOT, 'scenarios', 'shop', 'payment-latency.yaml'), 'utf8');
/** VALID with its ground truth written out. */
const withTruth = (block: string): string =>
  VALID.replace('  expect:\n', `  groundTruth:\n    rootCauses:\n${block}  expect:\n`);

function problems(text: string, file = 's.yaml'): string[] {
  return checkScenarioText(text, file).problems.map(formatProblem);
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-hostile-scenarios-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('resource limits of scenario files', () => {
  it('refuses a file over the size limit without parsing it', async () => {
    const big = join(work, 'big.yaml');
    await writeFile(big, `${VALID}\n# ${'x'.repeat(MAX_SCENARIO_BYTES)}\n`);
    const started = Date.now();
    const r = await checkScenarioFile(big);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.problems.map(formatProblem)).toEqual([
      `${big}:1:1: (root): larger than 1048576 bytes; a scenario is a few kilobytes`,
    ]);
  });

  it('refuses an alias bomb at the alias, with its position', () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      '',
    ].join('\n');
    expect(problems(bomb)).toEqual([
      's.yaml:2:8: (root): YAML: aliases here expand into too large a document (anchors that alias anchors); write the values out',
    ]);
  });

  it('refuses more aliases than any scenario needs', () => {
    const many = `a: &a 1\nb: [${Array.from({ length: MAX_YAML_ALIASES + 1 }, () => '*a').join(', ')}]\n`;
    expect(problems(many)).toEqual([
      `s.yaml:2:${5 + 4 * MAX_YAML_ALIASES}: (root): YAML: more than ${MAX_YAML_ALIASES} aliases (*name); write the values out instead`,
    ]);
  });

  it.each([
    ['compact sequences', `${'- '.repeat(5000)}x\n`, 's.yaml:1:129:'],
    ['flow sequences', `${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 's.yaml:1:64:'],
    ['flow mappings', `a: ${'{b: '.repeat(2000)}1${'}'.repeat(2000)}\n`, 's.yaml:1:'],
  ])('refuses nesting deep enough to abort the parser: %s', (_name, text, where) => {
    const [p, ...rest] = problems(text);
    expect(rest).toEqual([]);
    expect(p.startsWith(where)).toBe(true);
    expect(p).toMatch(/: \(root\): YAML: nested more than 64 levels deep; a scenario needs about six$/);
  });

  it('names a second document plainly', () => {
    expect(problems(`${VALID}---\nkind: Scenario\n`)).toEqual([
      expect.stringMatching(
        /^s\.yaml:\d+:1: \(root\): YAML: a second document \(after ---\); a scenario file holds exactly one$/,
      ),
    ]);
  });

  it('refuses a FIFO instead of waiting for a writer', async () => {
    const fifo = join(work, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    expect((await checkScenarioFile(fifo)).problems.map(formatProblem)).toEqual([
      `${fifo}:1:1: (root): cannot read: is a FIFO, not a regular file`,
    ]);
  });

  it('accepts a byte order mark', () => {
    expect(problems(`\ufeff${VALID}`)).toEqual([]);
  });
});

describe('scenario fields with bounds', () => {
  it.each([
    ['warmup', /warmup: 30s/, 'warmup: 100000h', 'spec.observe.warmup'],
    ['timeout', /timeout: 3m/, 'timeout: 596h', 'spec.observe.timeout'],
    ['window', /before: 30s/, 'before: 24h1ms', 'spec.observe.window.before'],
    [
      'fault at',
      /params: \{ delayMs: 1200 \}\n/,
      'params: { delayMs: 1200 }\n      at: 9999999999999s\n',
      'spec.faults.0.at',
    ],
  ])('refuses a duration longer than a day: %s', (_name, from, to, path) => {
    const out = problems(VALID.replace(from, to));
    expect(out).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `: ${path.replace(/\./g, '\\.')}: ".*" is longer than the longest duration allowed \\(24h\\)$`,
        ),
      ),
    );
  });

  it('reports one bound per value, the tightest', () => {
    expect(problems(VALID.replace('seed: 42', 'seed: 1e30'))).toEqual([
      expect.stringMatching(/spec\.seed: Too big: expected number to be <=4294967295$/),
    ]);
  });

  it('refuses a root cause given twice under two spellings', () => {
    const text = withTruth('      - id: shop/Deployment/payment\n      - id: shop/deploy/payment\n');
    expect(problems(text)).toEqual([
      expect.stringMatching(
        /^s\.yaml:\d+:\d+: spec\.groundTruth\.rootCauses\.1\.id: shop\/Deployment\/payment is already root cause 0 \(after normalisation\); no answer could match both$/,
      ),
    ]);
  });
});

describe('fault targets are checked against the app manifests', () => {
  it('refuses a target that does not exist, listing what does', () => {
    expect(
      problems(VALID.replace('target: shop/Deployment/payment', 'target: shop/Deployment/paymnet')),
    ).toEqual([
      expect.stringMatching(
        /spec\.faults\.0\.target: shop\/Deployment\/paymnet does not exist in the shop's manifests \(manifests\/shop\); its Deployments in shop: accounting, cart, catalog, checkout, currency, frontend, fulfillment, inventory, payment, postgres, redis, shipping$/,
      ),
    ]);
  });

  it('refuses a namespace the app does not own, in a target or a root cause', () => {
    expect(
      problems(VALID.replace('target: shop/Deployment/payment', 'target: kube-system/Deployment/coredns')),
    ).toEqual([
      expect.stringMatching(
        /spec\.faults\.0\.target: namespace "kube-system" is not the shop's: its objects live in shop \(manifests\/shop\)$/,
      ),
    ]);
    const truth = withTruth(
      '      - id: shop/Deployment/payment\n        aliases: [firedrill-system/Deployment/flags]\n',
    );
    expect(problems(truth)).toEqual([
      expect.stringMatching(
        /spec\.groundTruth\.rootCauses\.0\.aliases\.0: namespace "firedrill-system" is not the shop's/,
      ),
    ]);
  });

  it('accepts root causes a fault creates, which the manifests cannot hold', () => {
    const truth = withTruth(
      '      - id: shop/NetworkPolicy/payment-allow-ingress\n        aliases: [shop/Pod/payment-0]\n',
    );
    expect(problems(truth)).toEqual([]);
  });
});
