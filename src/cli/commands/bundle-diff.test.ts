import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeIncidentBundle } from '../../bundle/testing/incident-bundle.js';
import { packBundle } from '../../bundle/pack.js';
import type { BundleDiff } from '../../compare/bundle-diff.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { exitCodeFor } from '../handle-error.js';
import { runDiff, type DiffCliOptions } from './bundle-diff.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fd-diff-cli-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function diff(a: string, b: string, o: DiffCliOptions = {}) {
  let out = '';
  let err = '';
  let code: number;
  try {
    code = await runDiff(a, b, o, { stdout: (t) => (out += t) });
  } catch (e) {
    code = exitCodeFor(e, (l) => (err += l));
  }
  return { code, out, err };
}

describe('firedrill bundle diff', () => {
  it('exits 0 when B reproduces A (a packed B with new pod names), 1 when it differs', async () => {
    const a = await writeIncidentBundle(join(root, 'a'), { repeat: 0 });
    const b = await writeIncidentBundle(join(root, 'b'), { repeat: 1, podHash: '5f6c8d9e0a' });
    const packed = (await packBundle(b, join(root, 'b.tar.gz'))).file;
    const other = await writeIncidentBundle(join(root, 'c'), { fault: 'errors' });

    const same = await diff(a, packed);
    expect({ code: same.code, err: same.err }).toEqual({ code: ExitCode.Ok, err: '' });
    expect(same.out).toMatch(/^reproduced: firing alerts agree/m);

    const differs = await diff(a, other);
    expect(differs.code).toBe(ExitCode.Failure);
    expect(differs.out).toMatch(/^differs: firing alerts differ/m);
  });

  it('prints one JSON document with --json and -o json, and refuses a threshold outside 0..1 (exit 2)', async () => {
    const a = await writeIncidentBundle(join(root, 'j'));
    for (const o of [{ json: true }, { output: 'json' }] as DiffCliOptions[]) {
      const r = await diff(a, a, o);
      const doc = JSON.parse(r.out) as BundleDiff;
      expect({ code: r.code, verdict: doc.verdict, jaccard: doc.incident.jaccard }).toEqual({
        code: ExitCode.Ok,
        verdict: 'reproduced',
        jaccard: 1,
      });
    }
    const bad = await diff(a, a, { stabilityThreshold: '1.5' });
    expect(bad.code).toBe(ExitCode.InvalidInput);
    expect(bad.err).toMatch(/--stability-threshold must be a number from 0 to 1/);
  });
});
