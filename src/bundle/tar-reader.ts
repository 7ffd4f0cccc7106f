import {
  BLOCK_SIZE,
  TarError,
  decodeHeader,
  isZeroBlock,
  paddingFor,
  parsePaxRecords,
  type DecodedHeader,
} from './tar.js';

export type TarEntryKind =
  'file' | 'directory' | 'symlink' | 'hardlink' | 'char-device' | 'block-device' | 'fifo' | 'unknown';

export interface TarEntry {
  /** After pax `path` / GNU long-name overrides; not yet checked for safety. */
  path: string;
  kind: TarEntryKind;
  typeflag: string;
  size: number;
  linkname: string;
  /** Byte offset of the entry's header in the uncompressed stream. */
  offset: number;
}

export type TarEvent =
  | { type: 'entry'; entry: TarEntry }
  | { type: 'data'; chunk: Buffer }
  | { type: 'entry-end'; entry: TarEntry };

/** Pax and GNU long-name bodies are metadata; anything this big is hostile. */
const MAX_META_BYTES = 1 << 20;
const DATA_CHUNK = 1 << 20;

const KINDS: Record<string, TarEntryKind> = {
  '0': 'file',
  '7': 'file', // contiguous file: a regular file to everyone but a few old systems
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

/** Types whose size field does not announce data blocks. */
const NO_DATA = new Set(['1', '2', '3', '4', '5', '6']);

/**
 * Streams a tar archive as events: each entry's header, its data in chunks, then its end. Pax ('x')
 * headers and GNU long names ('L') are folded into the entry they describe; a global pax header ('g')
 * is skipped unless it tries to set a path, which no sane archive does, so it is refused. Throws
 * TarError on a bad checksum, a malformed pax record or a truncated archive.
 */
export async function* readTar(chunks: AsyncIterable<Buffer>): AsyncGenerator<TarEvent, void, undefined> {
  const src = new ByteSource(chunks[Symbol.asyncIterator]());
  try {
    yield* events(src);
  } finally {
    await src.close();
  }
}

async function* events(src: ByteSource): AsyncGenerator<TarEvent, void, undefined> {
  let pax: Map<string, string> | null = null;
  let longName: string | null = null;
  for (;;) {
    const offset = src.offset;
    const block = await src.read(BLOCK_SIZE);
    if (offset === 0) refuseNonTar(block);
    if (block.length === 0)
      throw new TarError(`truncated archive: ends at byte ${offset} without the end-of-archive marker`);
    if (block.length < BLOCK_SIZE) throw new TarError(`truncated archive: partial header at byte ${offset}`);
    if (isZeroBlock(block)) {
      const next = await src.read(BLOCK_SIZE);
      if (isZeroBlock(next)) return; // two zero blocks, or a lone one at the very end
      throw new TarError(`malformed archive: a header follows a zero block at byte ${offset}`);
    }
    const h = decodeHeader(block, offset);
    switch (h.typeflag) {
      case 'x':
        pax = parsePaxRecords(await readMeta(src, h, offset), `pax header at byte ${offset}`);
        continue;
      case 'g': {
        const global = parsePaxRecords(await readMeta(src, h, offset), `global pax header at byte ${offset}`);
        if (global.has('path'))
          throw new TarError(
            `global pax header at byte ${offset} sets path ${JSON.stringify(global.get('path'))} for every entry; refused`,
          );
        continue;
      }
      case 'L': {
        const body = await readMeta(src, h, offset);
        const end = body.indexOf(0);
        longName = body.subarray(0, end === -1 ? body.length : end).toString('utf8');
        continue;
      }
      case 'K':
        // a long link target: links are refused anyway, by the entry that follows
        await readMeta(src, h, offset);
        continue;
    }
    const entry: TarEntry = {
      path: pax?.get('path') ?? longName ?? h.path,
      kind: KINDS[h.typeflag] ?? 'unknown',
      typeflag: h.typeflag,
      size: paxSize(pax, h, offset),
      linkname: pax?.get('linkpath') ?? h.linkname,
      offset,
    };
    pax = null;
    longName = null;
    if (NO_DATA.has(h.typeflag)) entry.size = 0;
    yield { type: 'entry', entry };
    let remaining = entry.size;
    while (remaining > 0) {
      const chunk = await src.readSome(Math.min(remaining, DATA_CHUNK));
      if (chunk.length === 0)
        throw new TarError(
          `truncated archive: entry ${JSON.stringify(entry.path)} should have ${entry.size} bytes, found ${entry.size - remaining}`,
        );
      remaining -= chunk.length;
      yield { type: 'data', chunk };
    }
    const pad = paddingFor(entry.size);
    if ((await src.read(pad)).length < pad)
      throw new TarError(`truncated archive: entry ${JSON.stringify(entry.path)} is missing its padding`);
    yield { type: 'entry-end', entry };
  }
}

/**
 * The first block decides whether this is a tar archive at all. Without this, a zip file or a text
 * file is reported as a truncated or corrupt archive, which sends people looking for a damaged download.
 */
function refuseNonTar(block: Buffer): void {
  if (block.length === BLOCK_SIZE && !isZeroBlock(block)) {
    try {
      decodeHeader(block, 0);
      return;
    } catch {
      // not a header: described below
    }
  } else if (block.length === BLOCK_SIZE) return;
  throw new TarError(`not a tar archive: ${describeContent(block)}; a packed bundle is a .tar.gz or .tar`);
}

const SIGNATURES: Array<[string, number[]]> = [
  ['a zip archive', [0x50, 0x4b, 0x03, 0x04]],
  ['an empty zip archive', [0x50, 0x4b, 0x05, 0x06]],
  ['gzip inside gzip', [0x1f, 0x8b]],
  ['a bzip2 stream', [0x42, 0x5a, 0x68]],
  ['an xz stream', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['a zstd stream', [0x28, 0xb5, 0x2f, 0xfd]],
  ['a 7-zip archive', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
];

function describeContent(head: Buffer): string {
  if (head.length === 0) return 'it is empty';
  for (const [what, magic] of SIGNATURES)
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return `it is ${what}`;
  const text = head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b !== 0x7f));
  if (text) return 'it looks like text';
  return head.length < BLOCK_SIZE ? `it holds only ${head.length} bytes` : 'its first block is no tar header';
}

async function readMeta(src: ByteSource, h: DecodedHeader, offset: number): Promise<Buffer> {
  if (h.size > MAX_META_BYTES)
    throw new TarError(
      `header at byte ${offset}: ${h.size}-byte '${h.typeflag}' metadata entry is too large`,
    );
  const body = await src.read(h.size);
  const pad = paddingFor(h.size);
  if (body.length < h.size || (await src.read(pad)).length < pad)
    throw new TarError(`truncated archive: metadata entry at byte ${offset} is cut short`);
  return body;
}

function paxSize(pax: Map<string, string> | null, h: DecodedHeader, offset: number): number {
  const text = pax?.get('size');
  if (text === undefined) return h.size;
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new TarError(`pax header before byte ${offset}: bad size ${JSON.stringify(text)}`);
  return Number(text);
}

/** Exact-length reads over a chunked stream; `offset` counts the bytes consumed. */
class ByteSource {
  offset = 0;
  private readonly it: AsyncIterator<Buffer>;
  private chunks: Buffer[] = [];
  private available = 0;
  private ended = false;

  constructor(it: AsyncIterator<Buffer>) {
    this.it = it;
  }

  /** Exactly n bytes, or fewer only at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    while (this.available < n && (await this.pull()));
    return this.take(Math.min(n, this.available));
  }

  /** Between 1 and max bytes; empty only at the end of the stream. */
  async readSome(max: number): Promise<Buffer> {
    if (this.available === 0) await this.pull();
    return this.take(Math.min(max, this.available));
  }

  /** Lets the underlying stream go when the archive is abandoned half-way (an error, a refused entry). */
  async close(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      await this.it.return?.();
    }
  }

  private async pull(): Promise<boolean> {
    while (!this.ended) {
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        return false;
      }
      if (r.value.length === 0) continue;
      this.chunks.push(r.value);
      this.available += r.value.length;
      return true;
    }
    return false;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const parts: Buffer[] = [];
      let need = n;
      while (need > 0) {
        const c = this.chunks[0];
        if (c.length <= need) {
          parts.push(c);
          this.chunks.shift();
          need -= c.length;
        } else {
          parts.push(c.subarray(0, need));
          this.chunks[0] = c.subarray(need);
          need = 0;
        }
      }
      out = Buffer.concat(parts, n);
    }
    this.available -= n;
    this.offset += n;
    return out;
  }
}
