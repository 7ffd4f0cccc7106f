import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { packBundle } from '../../src/bundle/pack.js';
import { heldScratch } from '../../src/bundle/scratch.js';
import { rawTar, type RawEntry } from '../../src/bundle/testing/raw-tar.js';
import { writeSampleBundle } from '../../src/bundle/testing/sample-bundle.js';
import { runInProcess, type CliResult } from '../../src/cli/testing/run-cli.js';
import { REPO_ROOT } from '../../src/version.js';

/**
 * Random and mutated scenarios, answers and archives thrown at the offline commands (validate, grade,
 * bundle unpack, bundle verify), in-process through the whole command tree as main.ts runs it. Every
 * case must end within CASE_MS, with an exit code from the command's documented set, no stack trace,
 * no raw control byte on the terminal, and nothing written outside its target.
 *
 * Seeded: FIREDRILL_FUZZ_SEED=<n> replays a run; CI uses a fixed seed so a red build is reproducible,
 * a local run draws a new one each time to look further. A failure names its seed and the command to
 * replay it. Bounded: each property stops after PROPERTY_MS whatever its run count.
 */

const FIXED_CI_SEED = 20_250_601;
const SEED = process.env.FIREDRILL_FUZZ_SEED
  ? Number(process.env.FIREDRILL_FUZZ_SEED)
  : process.env.CI
    ? FIXED_CI_SEED
    : Math.floor(Math.random() * 2 ** 31);
const RUNS = Number(process.env.FIREDRILL_FUZZ_RUNS ?? 120);
// A hang is what this catches; on a loaded 2-core runner a slow case took over 10 s, so the bound is generous.
const CASE_MS = 30_000;
const PROPERTY_MS = Number(process.env.FIREDRILL_FUZZ_TIME_MS ?? 12_000);

const STACK = /internal error|\n\s+at .+:\d+:\d+\)?\n/;
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

async function check<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  predicate: (v: T) => Promise<void>,
): Promise<void> {
  try {
    await fc.assert(fc.asyncProperty(arb, predicate), {
      seed: SEED,
      numRuns: RUNS,
      endOnFailure: true,
      plugins: [fc.timeout(CASE_MS), fc.interruptAfterTimeLimit(PROPERTY_MS)],
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `fuzz ${name} failed with seed ${SEED}; replay: FIREDRILL_FUZZ_SEED=${SEED} npm test -- tests/fuzz\n${why}`,
    );
  }
}

/** What every command run must satisfy, whatever its input. */
function expectSane(r: CliResult, codes: readonly number[], what: string): void {
  const context = `${what}: exit ${r.code}\nstderr: ${r.stderr.slice(0, 2000)}`;
  if (!codes.includes(r.code)) throw new Error(`unexpected exit code; ${context}`);
  if (STACK.test(r.stderr) || STACK.test(r.stdout)) throw new Error(`stack trace printed; ${context}`);
  if (RAW_CONTROL.test(r.stderr) || RAW_CONTROL.test(r.stdout))
    throw new Error(`raw control character printed; ${context}`);
}

/** Every path under `root` with its size, so a run that wrote anywhere else shows. */
async function listing(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const st = await lstat(join(dir, name));
      out.push(`${rel}${name}:${st.isDirectory() ? 'd' : st.size}`);
      if (st.isDirectory()) await walk(join(dir, name), `${rel}${name}/`);
    }
  };
  await walk(root, '');
  return out;
}

/** Byte-level edits: flips, insertions, deletions, duplications, truncation. */
type Edit = { op: 'flip' | 'insert' | 'delete' | 'dup' | 'cut'; at: number; len: number; bytes: Uint8Array };

const editArb: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom('flip', 'insert', 'delete', 'dup', 'cut'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 64 }),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
});

function applyEdits(base: Buffer, edits: readonly Edit[]): Buffer {
  let b = Buffer.from(base);
  for (const e of edits) {
    if (b.length === 0) break;
    const at = e.at % b.length;
    switch (e.op) {
      case 'flip':
        for (let i = 0; i < e.bytes.length && at + i < b.length; i++) b[at + i] ^= e.bytes[i] || 1;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.len)]);
        break;
      case 'dup':
        b = Buffer.concat([b.subarray(0, at + e.len), b.subarray(at)]);
        break;
      case 'cut':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

/** Text-level edits with the tokens YAML and the scenario schema care about. */
const YAML_TOKENS = [
  '&a ',
  '*a',
  '<<: *a',
  '[',
  ']',
  '{',
  '}',
  '- ',
  ': ',
  '|\n',
  '>-\n',
  '---\n',
  '...\n',
  '\t',
  '#',
  '!!binary ',
  '!foo ',
  '"',
  "'",
  '\u0000',
  '\u001b[2J',
  '\u202e',
  '\ufeff',
  '%YAML 1.2\n',
  '? ',
  '0x1F',
  '.inf',
  '1e400',
  '100000h',
  '2147483648ms',
  'kube-system/Deployment/coredns',
  'shop/deploy/payment',
  'shop/Deployment/nope',
  '\n  groundTruth: {rootCauses: [{id: shop/Deployment/payment}, {id: shop/deploy/payment}]}\n',
  '\n    - type: app-latency\n      target: shop/Deployment/cart\n',
  '- - - - - - - - ',
  '[[[[[[[[',
];

const textEditArb = fc.record({
  at: fc.nat(),
  del: fc.nat({ max: 40 }),
  insert: fc.oneof(fc.constantFrom(...YAML_TOKENS), fc.string({ maxLength: 20 })),
});

/** Paths of a scenario whose values get replaced by anything JSON can hold. */
const SCENARIO_PATHS = [
  'apiVersion',
  'kind',
  'metadata',
  'metadata.id',
  'metadata.tags',
  'spec',
  'spec.app',
  'spec.substrates',
  'spec.seed',
  'spec.load',
  'spec.load.rps',
  'spec.load.mix',
  'spec.faults',
  'spec.faults.0',
  'spec.faults.0.type',
  'spec.faults.0.target',
  'spec.faults.0.params',
  'spec.faults.0.at',
  'spec.faults.0.duration',
  'spec.observe',
  'spec.observe.warmup',
  'spec.observe.window',
  'spec.observe.until',
  'spec.observe.timeout',
  'spec.background',
  'spec.background.counts',
  'spec.groundTruth',
  'spec.expect',
  'spec.expect.alerts',
];

function setPath(doc: unknown, path: string, value: unknown): unknown {
  const keys = path.split('.');
  const root = structuredClone(doc) as Record<string, unknown>;
  let node: Record<string, unknown> = root;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (typeof next !== 'object' || next === null) return root;
    node = next as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
  return root;
}

let work: string;
let scenarioText: string;
let bundleDir: string;
let packed: Buffer;
let packedTar: Buffer;
let manifestJson: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-fuzz-'));
  scenarioText = await readFile(join(REPO_ROOT, 'scenarios', 'shop', 'payment-latency.yaml'), 'utf8');
  bundleDir = await writeSampleBundle(join(work, 'fixtures'), 'fz-1');
  const { file } = await packBundle(bundleDir, join(work, 'fixtures', 'fz-1.tar.gz'));
  packed = await readFile(file);
  const { gunzipSync } = await import('node:zlib');
  packedTar = gunzipSync(packed);
  manifestJson = await readFile(join(bundleDir, 'manifest.json'), 'utf8');
  // Load the command tree once here: the first case would otherwise pay for every import against CASE_MS.
  await runInProcess(['validate', join(REPO_ROOT, 'scenarios', 'shop', 'payment-latency.yaml')]);
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A fresh directory per case: the only place the case may write. */
async function sandbox(): Promise<string> {
  return mkdtemp(join(work, 'case-'));
}

describe(`fuzz (seed ${SEED})`, () => {
  it(
    'validate: random, mutated and restructured scenarios',
    async () => {
      const scenarioDoc = parseYaml(scenarioText) as unknown;
      const arb = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 600 }),
        fc.array(textEditArb, { minLength: 1, maxLength: 6 }).map((edits) => {
          let t = scenarioText;
          for (const e of edits) {
            const at = e.at % (t.length + 1);
            t = t.slice(0, at) + e.insert + t.slice(at + e.del);
          }
          return t;
        }),
        fc
          .tuple(fc.constantFrom(...SCENARIO_PATHS), fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string()))
          .map(([path, value]) => stringifyYaml(setPath(scenarioDoc, path, value))),
      );
      await check('validate', arb, async (text) => {
        const dir = await sandbox();
        const file = join(dir, 'scenario.yaml');
        await writeFile(file, text);
        const before = await listing(dir);
        for (const format of ['text', 'json']) {
          const r = await runInProcess(['validate', file, '-o', format]);
          expectSane(r, [0, 2], `validate -o ${format}`);
          if (format === 'json') JSON.parse(r.stdout);
        }
        expect(await listing(dir)).toEqual(before);
        await rm(dir, { recursive: true });
      });
    },
    PROPERTY_MS + 60_000,
  );

  it(
    'grade: random and mutated answers, and mutated truths with --no-verify',
    async () => {
      const goodAnswer = JSON.stringify({
        entities: ['shop/Deployment/payment', { name: 'shop/Pod/payment-0' }, { id: 'shop/svc/payment' }],
      });
      const entity = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.constantFrom('shop/Deployment/payment', 'shop/deploy/payment', '\u001b[2Jshop/Pod/x', 'a/b/c/d'),
        fc.record(
          { name: fc.anything(), id: fc.anything(), contributing_factor: fc.anything() },
          { requiredKeys: [] },
        ),
        fc.anything({ maxDepth: 2 }),
      );
      const answerArb = fc.oneof(
        fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
        fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
        fc.array(entity, { maxLength: 40 }).map((list) => Buffer.from(JSON.stringify({ entities: list }))),
        fc
          .array(editArb, { minLength: 1, maxLength: 4 })
          .map((edits) => applyEdits(Buffer.from(goodAnswer), edits)),
      );
      const truthEdits = fc.option(fc.array(editArb, { minLength: 1, maxLength: 3 }), { nil: undefined });
      await check('grade', fc.tuple(answerArb, truthEdits), async ([answer, edits]) => {
        const dir = await sandbox();
        const file = join(dir, 'answer.json');
        await writeFile(file, answer);
        let truth = bundleDir;
        const args: string[] = [];
        if (edits) {
          truth = join(dir, 'bundle');
          await cp(bundleDir, truth, { recursive: true });
          const path = join(truth, 'truth', 'ground_truth.json');
          await writeFile(path, applyEdits(await readFile(path), edits));
          args.push('--no-verify');
        }
        const before = await listing(dir);
        const r = await runInProcess(['grade', '--truth', truth, '--answer', file, '-o', 'json', ...args]);
        // an edited truth may no longer parse (exit 1); an answer, whatever it holds, is graded (exit 0)
        expectSane(r, edits ? [0, 1] : [0], 'grade');
        if (r.code === 0) {
          const score = JSON.parse(r.stdout) as { warnings: string[]; apFullRecall: number };
          expect(score.warnings.length).toBeLessThanOrEqual(21);
          expect(score.apFullRecall).toBeGreaterThanOrEqual(0);
        }
        expect(await listing(dir)).toEqual(before);
        await rm(dir, { recursive: true });
      });
    },
    PROPERTY_MS + 60_000,
  );

  it(
    'bundle unpack: mutated packed bundles and random tar entries',
    async () => {
      const names = fc.oneof(
        fc.constantFrom(
          'fz-1/',
          'fz-1/manifest.json',
          'fz-1/snapshot/task.md',
          'fz-1/../../x',
          '/etc/x',
          'fz-1/a\\b',
          './fz-1/x',
          'other/x',
          'fz-1/snapshot/task.md/x',
          'C:/x',
          '',
          '.',
          'fz-1//truth//ground_truth.json',
        ),
        fc.string({ unit: 'binary', maxLength: 120 }),
      );
      const entryArb: fc.Arbitrary<RawEntry> = fc.record(
        {
          name: names,
          type: fc.constantFrom('0', '5', '1', '2', '3', '4', '6', '7', 'x', 'g', 'L', 'K', 'S', '\u0000'),
          data: fc.oneof(
            fc.uint8Array({ maxLength: 700 }).map((b) => Buffer.from(b)),
            fc.constant(Buffer.from(manifestJson)),
          ),
          linkname: fc.string({ maxLength: 40 }),
          size: fc.oneof(fc.nat({ max: 5000 }), fc.constantFrom(10 * 1024 ** 3, 2 ** 33 - 1)),
          pax: fc.dictionary(
            fc.constantFrom('path', 'size', 'linkpath', 'mtime'),
            fc.string({ maxLength: 40 }),
            {
              maxKeys: 2,
            },
          ),
        },
        { requiredKeys: ['name'] },
      );
      const archiveArb = fc.oneof(
        fc.array(editArb, { minLength: 1, maxLength: 5 }).map((e) => applyEdits(packed, e)),
        fc
          .array(editArb, { minLength: 1, maxLength: 5 })
          .chain((e) =>
            fc.boolean().map((gz) => (gz ? gzipSync(applyEdits(packedTar, e)) : applyEdits(packedTar, e))),
          ),
        fc
          .tuple(fc.array(entryArb, { maxLength: 6 }), fc.boolean(), fc.boolean(), fc.boolean())
          .map(([entries, lead, end, gz]) => {
            const head: RawEntry[] = lead
              ? [
                  { name: 'fz-1/', type: '5' },
                  { name: 'fz-1/manifest.json', data: manifestJson },
                ]
              : [];
            const tar = rawTar([...head, ...entries], { end });
            return gz ? gzipSync(tar) : tar;
          }),
      );
      await check('unpack', fc.tuple(archiveArb, fc.boolean()), async ([bytes, replace]) => {
        const dir = await sandbox();
        const file = join(dir, 'in.tar.gz');
        await writeFile(file, bytes);
        const dest = join(dir, 'dest');
        await mkdir(dest);
        const before = await listing(dir);
        const r = await runInProcess(['bundle', 'unpack', file, dest, ...(replace ? ['--replace'] : [])]);
        expectSane(r, [0, 1], 'bundle unpack');
        // nothing outside dest; inside it, nothing but the one bundle folder, regular files and folders only
        const after = await listing(dir);
        expect(after.filter((p) => !p.startsWith('dest/'))).toEqual(before);
        const inside = after.filter((p) => p.startsWith('dest/'));
        if (r.code !== 0) expect(inside).toEqual([]);
        else {
          const tops = new Set(inside.map((p) => p.split('/')[1].split(':')[0]));
          expect(tops.size).toBe(1);
          for (const p of inside) {
            const rel = p.slice(0, p.lastIndexOf(':'));
            const st = await lstat(join(dir, rel));
            expect(st.isFile() || st.isDirectory()).toBe(true);
          }
        }
        expect(heldScratch()).toEqual([]);
        await rm(dir, { recursive: true });
      });
    },
    PROPERTY_MS + 60_000,
  );

  it(
    'bundle verify: mutated packed bundles leave nothing in the temporary directory',
    async () => {
      const tmp = join(work, 'tmpdir');
      await mkdir(tmp);
      const saved = process.env.TMPDIR;
      process.env.TMPDIR = tmp;
      try {
        await check('verify', fc.array(editArb, { minLength: 1, maxLength: 5 }), async (edits) => {
          const dir = await sandbox();
          const file = join(dir, 'in.tar.gz');
          await writeFile(file, applyEdits(packed, edits));
          const r = await runInProcess(['bundle', 'verify', file, '-o', 'json']);
          expectSane(r, [0, 1], 'bundle verify');
          expect((JSON.parse(r.stdout) as unknown[]).length).toBe(1);
          expect(await readdir(tmp)).toEqual([]);
          await rm(dir, { recursive: true });
        });
      } finally {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
      }
    },
    PROPERTY_MS + 60_000,
  );
});
