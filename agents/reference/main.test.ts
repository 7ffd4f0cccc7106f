import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyntheticShop } from './testing/synthetic-shop.js';

const MAIN = join(process.cwd(), 'agents', 'reference', 'main.ts');
let dir: string;
let snapshot: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ref-agent-main-'));
  snapshot = join(dir, 'snapshot');
  const shop = new SyntheticShop();
  shop.failRequests('shipping', 120, 0.6, 500);
  await shop.writeTo(snapshot);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: process.cwd(),
    env: { ...process.env, FIREDRILL_SNAPSHOT: '', FIREDRILL_ANSWER: '', ...env },
    encoding: 'utf8',
  });

describe('reference agent process', () => {
  it('writes the ranked answer and exits 0; --explain prints the evidence', async () => {
    const answer = join(dir, 'out', 'answer.json');
    const child = run([snapshot, answer, '--explain']);
    expect({ status: child.status, stderr: child.stderr }).toEqual({ status: 0, stderr: '' });
    const written = JSON.parse(await readFile(answer, 'utf8')) as { entities: string[] };
    expect(written.entities[0]).toBe('shop/Deployment/shipping');
    expect(child.stdout).toMatch(/^1\. shop\/Deployment\/shipping/m);
    // Written through a temporary file and a rename: nothing else is left behind.
    expect(await readdir(join(dir, 'out'))).toEqual(['answer.json']);
  }, 60_000);

  it('takes its paths from FIREDRILL_SNAPSHOT and FIREDRILL_ANSWER; --json prints machine-readable evidence', async () => {
    const answer = join(dir, 'env-answer.json');
    const child = run(['--json'], { FIREDRILL_SNAPSHOT: snapshot, FIREDRILL_ANSWER: answer });
    expect(child.status).toBe(0);
    const json = JSON.parse(child.stdout) as { entities: string[]; candidates: unknown[] };
    expect(json.entities[0]).toBe('shop/Deployment/shipping');
    expect(JSON.parse(await readFile(answer, 'utf8'))).toEqual({ entities: json.entities });
  }, 60_000);

  it('exits 1 when the snapshot directory cannot be read', () => {
    const child = run([join(dir, 'absent'), join(dir, 'x.json')]);
    expect(child.status).toBe(1);
    expect(child.stderr).toMatch(/cannot read/);
  }, 60_000);

  it('exits 2 on bad usage', () => {
    expect(run([]).status).toBe(2);
    expect(run([snapshot, join(dir, 'a.json'), '--verbose']).status).toBe(2);
  }, 60_000);
});
