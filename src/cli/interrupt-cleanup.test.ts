import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawTar } from '../bundle/testing/raw-tar.js';
import { REPO_ROOT } from '../version.js';

/**
 * Ctrl-C or SIGTERM while unpack or verify works on a large archive used to leave gigabytes of
 * `.unpack-*` / `firedrill-verify-*` behind (Node skips `finally` blocks when a signal ends it). These
 * run the real CLI, wait until the temporary folder exists, signal it, and look for what is left.
 */

const BIG = 256 * 1024 ** 2;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-interrupt-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/**
 * A plain tar holding a 256 MiB file its manifest accounts for, written sparse: the test costs no disk,
 * while the unpack it interrupts has plenty to write.
 */
async function bigArchive(): Promise<string> {
  const file = join(work, 'big.tar');
  const manifest = JSON.stringify({ format: 1, files: [{ path: 'snapshot/logs.ndjson', bytes: BIG }] });
  const head = rawTar(
    [
      { name: 'b-1/', type: '5' },
      { name: 'b-1/manifest.json', data: manifest },
      { name: 'b-1/snapshot/', type: '5' },
      { name: 'b-1/snapshot/logs.ndjson', size: BIG },
    ],
    { end: false },
  );
  const fh = await open(file, 'w');
  try {
    await fh.write(head, 0, head.length, 0);
    await fh.write(Buffer.alloc(1024), 0, 1024, head.length + BIG); // data ends on a block; then the end marker
  } finally {
    await fh.close();
  }
  return file;
}

async function interrupt(
  args: string[],
  watch: string,
  prefix: string,
  signal: NodeJS.Signals,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stderr: string; left: string[] }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'firedrill.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, FIREDRILL_FROM_SOURCE: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  for (;;) {
    if (done) throw new Error(`exited before ${prefix}* appeared: ${stderr}`);
    const names = await readdir(watch).catch(() => [] as string[]);
    if (names.some((n) => n.startsWith(prefix))) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill(signal);
  const code = await exited;
  const left = (await readdir(watch).catch(() => [] as string[])).filter((n) => n.startsWith(prefix));
  return { code, stderr, left };
}

describe('an interrupted unpack or verify leaves nothing behind', () => {
  it('unpack, SIGTERM', async () => {
    const file = await bigArchive();
    const dest = join(work, 'dest');
    const r = await interrupt(['bundle', 'unpack', file, dest], dest, '.unpack-', 'SIGTERM');
    expect({ code: r.code, left: r.left }).toEqual({ code: 130, left: [] });
    expect(r.stderr).toMatch(/interrupted by SIGTERM; temporary files removed/);
    expect(await readdir(dest)).toEqual([]);
  }, 60_000);

  it('verify of a packed bundle, SIGINT', async () => {
    const file = await bigArchive();
    const tmp = join(work, 'tmp');
    await mkdir(tmp);
    const r = await interrupt(['bundle', 'verify', file], tmp, 'firedrill-verify-', 'SIGINT', {
      TMPDIR: tmp,
    });
    expect({ code: r.code, left: r.left }).toEqual({ code: 130, left: [] });
  }, 60_000);
});
