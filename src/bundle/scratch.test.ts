import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { heldScratch, holdScratch, makeScratchDir, releaseScratch, removeHeldScratch } from './scratch.js';

describe('makeScratchDir', () => {
  let parent: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'scratch-test-'));
  });
  afterEach(() => {
    for (const p of heldScratch()) releaseScratch(p);
    rmSync(parent, { recursive: true, force: true });
  });

  it('holds the path before the directory exists, so a signal in between cannot leave it behind', async () => {
    const prefix = join(parent, '.unpack-');
    const pending = makeScratchDir(prefix);
    // synchronously after the call: mkdir has not run yet, but the path is already held
    const held = heldScratch().filter((p) => p.startsWith(prefix));
    expect(held).toHaveLength(1);
    const dir = await pending;
    expect(dir).toBe(held[0]);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('gives each call its own directory', async () => {
    const prefix = join(parent, 'x-');
    const [a, b] = await Promise.all([makeScratchDir(prefix), makeScratchDir(prefix)]);
    expect(a).not.toBe(b);
  });

  it('releases the path and rethrows when the parent is missing', async () => {
    const prefix = join(parent, 'missing', 'x-');
    await expect(makeScratchDir(prefix)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(heldScratch().filter((p) => p.startsWith(prefix))).toEqual([]);
  });
});
describe('removeHeldScratch', () => {
  it('removes a folder again that an operation in flight recreated after it was removed', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'scratch-test-'));
    const dir = join(parent, '.unpack-abc');
    mkdirSync(join(dir, 'b-1'), { recursive: true });
    // Another thread, as the thread pool's recursive mkdir of an unpack would: as soon as the folder is
    // gone, it makes it again.
    const worker = new Worker(
      `const { existsSync, mkdirSync } = require('node:fs');
       const { parentPort, workerData } = require('node:worker_threads');
       parentPort.postMessage('watching');
       const until = Date.now() + 5000;
       while (existsSync(workerData) && Date.now() < until);
       mkdirSync(workerData + '/b-1/snapshot', { recursive: true });
       parentPort.postMessage('recreated');`,
      { eval: true, workerData: dir },
    );
    const recreated = new Promise((resolve) => worker.on('message', (m) => m === 'recreated' && resolve(m)));
    await new Promise((resolve) => worker.once('message', resolve));
    holdScratch(dir);
    removeHeldScratch();
    await recreated;
    await worker.terminate();
    try {
      expect(existsSync(dir)).toBe(false);
      expect(heldScratch()).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
