import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { lockCorpus } from './corpus-lock.js';

describe('lockCorpus', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'corpus-lock-'));
    file = join(dir, 'run.lock');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('refuses a second writer while the first holds the corpus, naming its pid, and lets go on release', async () => {
    const release = await lockCorpus(file, dir);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid });
    const second = lockCorpus(file, dir);
    await expect(second).rejects.toThrow(InvalidInputError);
    await expect(lockCorpus(file, dir)).rejects.toThrow(`another corpus run (pid ${process.pid}`);
    await release();
    const again = await lockCorpus(file, dir);
    await again();
  });

  it('takes over a lock whose writer has gone or that it cannot read', async () => {
    // A pid that existed and exited: its holder is gone.
    const gone = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    await writeFile(
      file,
      JSON.stringify({ pid: Number(gone), startTicks: 1, since: '2026-12-06T00:00:00Z' }),
    );
    const release = await lockCorpus(file, dir);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid });
    await release();
    await writeFile(file, 'not json');
    await (
      await lockCorpus(file, dir)
    )();
  });

  it('a live pid with another start time is another process: the lock is stale', async () => {
    await writeFile(file, JSON.stringify({ pid: process.pid, startTicks: 1, since: '2026-12-06T00:00:00Z' }));
    await (
      await lockCorpus(file, dir)
    )();
  });
});
