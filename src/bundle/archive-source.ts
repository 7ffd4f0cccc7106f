import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { TarError } from './tar.js';

/**
 * The uncompressed bytes of a tar archive on disk: gzip is recognised by its magic number, so `.tar.gz`,
 * `.tgz` and plain `.tar` all work whatever the file is called.
 */
export async function* archiveChunks(file: string): AsyncGenerator<Buffer, void, undefined> {
  const gzipped = await hasGzipMagic(file);
  const src = createReadStream(file, { highWaterMark: 1 << 20 });
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
}

async function hasGzipMagic(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}
