import { gzipSync } from 'node:zlib';

/**
 * Builds tar archives byte by byte, including the ones firedrill must refuse (links, devices, escaping
 * paths, pax overrides, truncation). Test-only: nothing here checks anything.
 */
export interface RawEntry {
  name: string;
  /** Tar typeflag character: '0' file, '5' dir, '1' hardlink, '2' symlink, '3' char dev, '6' fifo, 'x' pax... */
  type?: string;
  data?: Buffer | string;
  linkname?: string;
  prefix?: string;
  /** Overrides the size field (e.g. to announce more data than follows). */
  size?: number;
  /** Emits an 'x' pax header with these records before the entry. */
  pax?: Record<string, string>;
}

export function rawHeader(e: RawEntry, size: number): Buffer {
  const b = Buffer.alloc(512);
  b.write(e.name, 0, 100, 'utf8');
  b.write('0000644\0', 100, 8, 'ascii');
  b.write('0000000\0', 108, 8, 'ascii');
  b.write('0000000\0', 116, 8, 'ascii');
  b.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
  b.write('00000000000\0', 136, 12, 'ascii');
  b.write(e.type ?? '0', 156, 1, 'ascii');
  if (e.linkname) b.write(e.linkname, 157, 100, 'utf8');
  b.write('ustar\u000000', 257, 8, 'ascii');
  if (e.prefix) b.write(e.prefix, 345, 155, 'utf8');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return b;
}

function paxBody(records: Record<string, string>): Buffer {
  let out = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    out += `${len}${body}`;
  }
  return Buffer.from(out, 'utf8');
}

function pad(buf: Buffer): Buffer {
  const rem = buf.length % 512;
  return rem === 0 ? buf : Buffer.concat([buf, Buffer.alloc(512 - rem)]);
}

export function rawTar(entries: RawEntry[], opts: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.pax) {
      const body = paxBody(e.pax);
      parts.push(rawHeader({ name: 'PaxHeader', type: 'x' }, body.length), pad(body));
    }
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    parts.push(rawHeader(e, e.size ?? data.length));
    if (data.length > 0) parts.push(pad(data));
  }
  if (opts.end !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function rawTarGz(entries: RawEntry[], opts: { end?: boolean } = {}): Buffer {
  return gzipSync(rawTar(entries, opts));
}
