import type { FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { openRegularFile } from '../util/safe-fs.js';
import { TarError } from './tar.js';

/**
 * The uncompressed bytes of a tar archive on disk: gzip is recognised by its magic number, so `.tar.gz`,
 * `.tgz` and plain `.tar` all work whatever the file is called. Only a regular file is read (a FIFO or a
 * device named as an archive would block or never end); a symbolic link to one is fine, the caller named
 * it. Throws NotRegularFileError for anything else.
 */
export async function* archiveChunks(file: string): AsyncGenerator<Buffer, void, undefined> {
  const { fh } = await openRegularFile(file, { followLinks: true });
  let owned: FileHandle | null = fh;
  try {
    const gzipped = await hasGzipMagic(fh);
    // the stream owns the handle from here and closes it when destroyed
    const src = fh.createReadStream({ highWaterMark: 1 << 20, start: 0 });
    owned = null;
    if (!gzipped) {
      try {
        for await (const chunk of src) yield chunk as Buffer;
      } finally {
        src.destroy();
      }
      return;
    }
    const gunzip = createGunzip();
    src.on('error', (err) => gunzip.destroy(err));
    src.pipe(gunzip);
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (typeof e.code === 'string' && e.code.startsWith('Z_'))
        throw new TarError(`truncated or corrupt gzip stream (${e.message})`);
      throw err;
    } finally {
      src.destroy();
      gunzip.destroy();
    }
  } finally {
    await owned?.close();
  }
}

async function hasGzipMagic(fh: FileHandle): Promise<boolean> {
  const head = Buffer.alloc(2);
  const { bytesRead } = await fh.read(head, 0, 2, 0);
  return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
}
