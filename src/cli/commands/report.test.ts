import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packBundle } from '../../bundle/pack.js';
import { writeIncidentBundle } from '../../bundle/testing/incident-bundle.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { reportCommand } from './report.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fd-report-cli-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('firedrill report', () => {
  it('writes beside the bundle by default (a packed one named without .tar.gz) and prints the path', async () => {
    const dir = await writeIncidentBundle(join(root, 'r'));
    let out = '';
    expect(await reportCommand(dir, {}, (t) => (out += t))).toBe(ExitCode.Ok);
    expect(out).toBe(`${dir}.html\n`);
    const packed = (await packBundle(dir, join(root, 'p', 'incident-p.tar.gz'))).file;
    out = '';
    await reportCommand(packed, { output: undefined }, (t) => (out += t));
    expect(out).toBe(`${join(root, 'p', 'incident-p.html')}\n`);
    await access(join(root, 'p', 'incident-p.html'));
  });
});
