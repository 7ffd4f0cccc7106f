import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Creates `path` (never overwriting: an export goes to a fresh directory) and lets `fill` write it line by
 * line. Each write waits for the stream to drain when its buffer is full, so a large bundle streams through
 * instead of piling up in memory; the file is closed even when `fill` throws.
 */
export async function writeLineFile(
  path: string,
  fill: (writeLine: (line: string) => Promise<void>) => Promise<void>,
): Promise<void> {
  const out = createWriteStream(path, { flags: 'wx' });
  const closed = once(out, 'close');
  try {
    await fill(async (line) => {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    });
  } finally {
    out.end();
    await closed;
  }
}
