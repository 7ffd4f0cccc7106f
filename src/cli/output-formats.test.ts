import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { REPO_ROOT } from '../version.js';
import type { DoctorDocument } from './commands/doctor.js';
import type { StatusDocument } from './commands/status.js';
import type { ValidateDocument } from './commands/validate.js';
import { runInProcess, runProcess, testProgram, type CliResult } from './testing/run-cli.js';

const VALID = join(REPO_ROOT, 'scenarios', 'shop', 'payment-latency.yaml');
// test-only fault types: unknown to the real catalog
const INVALID = join(REPO_ROOT, 'tests', 'fixtures', 'scenario', 'bad-params.yaml');
const TRUTH = join(REPO_ROOT, 'tests', 'fixtures', 'grade', 'truth-two.json');
const ANSWER = join(REPO_ROOT, 'tests', 'fixtures', 'grade', 'answer-two.json');
const BUNDLE = join(REPO_ROOT, 'tests', 'fixtures', 'bundle', 'sample-r0');

/** Runs the command with -o json and -o yaml; both must exit alike and parse to the same data. */
async function bothFormats(args: string[]): Promise<{ doc: unknown; json: CliResult; yaml: CliResult }> {
  const json = await runInProcess([...args, '-o', 'json']);
  const yaml = await runInProcess([...args, '--output', 'yaml']);
  expect(yaml.code).toBe(json.code);
  expect(yaml.stderr).toBe(json.stderr);
  const doc = JSON.parse(json.stdout) as unknown;
  expect(parse(yaml.stdout)).toEqual(doc);
  return { doc, json, yaml };
}

let state: string;
const savedState = process.env.XDG_STATE_HOME;
beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'fd-formats-'));
  process.env.XDG_STATE_HOME = state;
});
afterAll(async () => {
  if (savedState === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedState;
  await rm(state, { recursive: true, force: true });
});

describe('-o json|yaml', () => {
  it('status, down', async () => {
    const { doc, json } = await bothFormats(['status']);
    expect(json.code).toBe(1);
    expect(doc).toEqual({
      substrate: 'local',
      up: false,
      pid: null,
      startedAt: null,
      endpoints: {},
      scrape: null,
    });
    expect((await runInProcess(['status'])).stdout).toBe('local substrate: down\n');
  });

  describe('status, up', () => {
    let server: Server;
    beforeAll(async () => {
      // Prometheus' targets API with one healthy and one failing target
      server = createServer((_req, res) => {
        const target = (pod: string, health: string, lastError: string) => ({
          labels: { pod },
          scrapePool: 'shop',
          scrapeUrl: `http://${pod}/metrics`,
          lastError,
          lastScrape: '2025-01-01T00:00:00Z',
          lastScrapeDuration: 0.01,
          health,
        });
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            status: 'success',
            data: {
              activeTargets: [target('cart-0', 'up', ''), target('payment-0', 'down', 'connection refused')],
            },
          }),
        );
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const prometheus = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await mkdir(join(state, 'firedrill', 'kind'), { recursive: true });
      // this test process stands in for the running `firedrill up`
      await writeFile(
        join(state, 'firedrill', 'kind', 'state.json'),
        JSON.stringify({
          pid: process.pid,
          substrate: 'kind',
          startedAt: '2025-01-01T00:00:00.000Z',
          endpoints: { prometheus, context: 'kind-firedrill' },
        }),
      );
    });
    afterAll(async () => {
      await new Promise((r) => server.close(r));
    });

    it('reports endpoints and scrape health in every format', async () => {
      const { doc, json } = await bothFormats(['status', '--substrate', 'kind']);
      expect(json.code).toBe(0);
      const s = doc as StatusDocument;
      expect(s).toMatchObject({
        substrate: 'kind',
        up: true,
        pid: process.pid,
        startedAt: '2025-01-01T00:00:00.000Z',
      });
      expect(s.endpoints.context).toBe('kind-firedrill');
      expect(s.scrape).toEqual({
        up: 1,
        total: 2,
        down: [{ target: 'payment-0', error: 'connection refused' }],
      });
      const text = await runInProcess(['status', '--substrate', 'kind']);
      expect(text.stdout.split('\n')).toEqual([
        `kind substrate: up (pid ${process.pid}, since 2025-01-01T00:00:00.000Z)`,
        `prometheus\t${s.endpoints.prometheus}`,
        'context\tkind-firedrill',
        'scrape targets\t1/2 up',
        '  down\tpayment-0\tconnection refused',
        '',
      ]);
    });
  });

  it('doctor', async () => {
    const { doc, json } = await bothFormats(['doctor']);
    const d = doc as DoctorDocument;
    expect(d.substrate).toBe('local');
    expect(json.code).toBe(d.ok ? 0 : 4);
    expect(d.tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['prometheus', 'alertmanager', 'redis-server']),
    );
    for (const t of d.tools) expect(t.state === 'ok').toBe(t.path !== null && t.problem === null);
    expect(d.evalIsolation?.detail).toMatch(/^(available|not available)/);
  }, 30_000);

  it('validate', async () => {
    const good = await bothFormats(['validate', VALID]);
    expect(good.json.code).toBe(0);
    expect(good.doc).toEqual({ valid: true, files: [VALID], problems: [] });
    const bad = await bothFormats(['validate', VALID, INVALID]);
    expect([bad.json.code, bad.json.stderr]).toEqual([2, '']);
    const d = bad.doc as ValidateDocument;
    expect(d.valid).toBe(false);
    expect(d.problems.length).toBeGreaterThan(0);
    for (const p of d.problems)
      expect(p.text).toBe(`${p.file}:${p.line}:${p.col}: ${p.path || '(root)'}: ${p.message}`);
  });

  it('faults, with --json as -o json', async () => {
    const { doc, json } = await bothFormats(['faults']);
    expect(json.code).toBe(0);
    expect((doc as Array<{ id: string }>).map((f) => f.id)).toContain('app-latency');
    expect(await runInProcess(['faults', '--json'])).toEqual(json);
  });

  it('grade, with --json as -o json', async () => {
    const { doc, json } = await bothFormats(['grade', '--truth', TRUTH, '--answer', ANSWER]);
    expect(json.code).toBe(0);
    expect(doc).toMatchObject({
      recall: 1,
      matched: ['shop/StatefulSet/redis', 'shop/ConfigMap/cart-config'],
    });
    expect(await runInProcess(['grade', '--truth', TRUTH, '--answer', ANSWER, '--json'])).toEqual(json);
  });

  it('bundle verify, with --json as -o json', async () => {
    const { doc, json } = await bothFormats(['bundle', 'verify', BUNDLE]);
    expect(json.code).toBe(0);
    expect(doc).toEqual([expect.objectContaining({ path: BUNDLE, ok: true, problems: [] })]);
    expect(await runInProcess(['bundle', 'verify', BUNDLE, '--json'])).toEqual(json);
  });

  it.each(
    [
      ['status'],
      ['doctor'],
      ['validate', VALID],
      ['faults'],
      ['grade', '--truth', TRUTH, '--answer', ANSWER],
      ['bundle', 'verify', BUNDLE],
      ['version'],
      ['run', VALID],
    ].map((args) => [args.filter((a) => /^[a-z]/.test(a)).join(' '), args]),
  )('%s refuses -o xml before doing anything, in one line', async (_name, args) => {
    expect(await runInProcess([...(args as string[]), '-o', 'xml'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'firedrill: -o/--output: unknown format "xml"; use one of text, json, yaml\n',
    });
  });

  it('refuses --json with -o yaml', async () => {
    expect(await runInProcess(['faults', '--json', '-o', 'yaml'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'firedrill: --json means -o json; it contradicts -o yaml\n',
    });
  });

  it('exits 2 with one line for -o xml as a real process too', async () => {
    const r = await runProcess(['status', '-o', 'xml']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'firedrill: -o/--output: unknown format "xml"; use one of text, json, yaml\n',
    });
  }, 30_000);
});

describe('--help of every command', () => {
  let program: Command;
  beforeAll(async () => {
    program = await testProgram();
  });

  function all(cmd: Command, path: string): Array<{ cmd: Command; path: string }> {
    return cmd.commands.flatMap((c) => [
      { cmd: c, path: `${path} ${c.name()}` },
      ...all(c, `${path} ${c.name()}`),
    ]);
  }

  function helpOf(cmd: Command): string {
    let text = '';
    cmd.configureOutput({ writeOut: (s) => (text += s) });
    cmd.outputHelp();
    return text;
  }

  it('states its output and its exit codes', () => {
    for (const { cmd, path } of all(program, 'firedrill')) {
      const help = helpOf(cmd);
      expect({ path, output: /^Output\b/m.test(help), exitCodes: /\bexit codes\b/i.test(help) }).toEqual({
        path,
        output: true,
        exitCodes: true,
      });
    }
    expect(helpOf(program)).toMatch(/^Exit codes:$/m);
  });

  it('offers -o json|yaml wherever a command prints structured output', () => {
    const structured = [
      'status',
      'doctor',
      'validate',
      'faults',
      'grade',
      'run',
      'version',
      'bundle verify',
      'bundle export',
      'eval',
      'eval compare',
      'eval merge',
      'bundle diff',
      'reproduce',
    ];
    for (const { cmd, path } of all(program, 'firedrill')) {
      const o = cmd.options.find((x) => x.long === '--output');
      const expected = structured.includes(path.replace(/^firedrill /, ''));
      // bundle pack's -o is a file name: an option without format choices
      expect({ path, formats: o?.argChoices ?? null }).toEqual({
        path,
        formats: expected ? ['text', 'json', 'yaml'] : null,
      });
    }
  });

  it('gives --kubeconfig and --context to every command that creates or cleans up a substrate', () => {
    for (const { cmd, path } of all(program, 'firedrill')) {
      const flags = cmd.options.map((o) => o.long);
      const touches = [
        'firedrill run',
        'firedrill corpus run',
        'firedrill reproduce',
        'firedrill up',
        'firedrill down',
      ].includes(path);
      expect({ path, cluster: flags.includes('--kubeconfig') && flags.includes('--context') }).toEqual({
        path,
        cluster: touches,
      });
    }
  });
});
