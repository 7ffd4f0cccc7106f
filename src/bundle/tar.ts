/**
 * The ustar header format (POSIX.1-1988 as amended by pax), just enough of it for packed bundles: this
 * module encodes the headers firedrill writes and decodes whatever another tool may have written, so
 * the reader can judge it. Layout of a 512-byte header:
 *
 *   name 0..100  mode 100..108  uid 108..116  gid 116..124  size 124..136  mtime 136..148
 *   chksum 148..156  typeflag 156  linkname 157..257  magic 257..263  version 263..265
 *   uname 265..297  gname 297..329  devmajor 329..337  devminor 337..345  prefix 345..500
 */

export const BLOCK_SIZE = 512;

/** Modification time of every packed entry: the epoch, so packing does not depend on when files were written. */
export const TAR_MTIME = 0;
export const FILE_MODE = 0o644;
export const DIR_MODE = 0o755;

/** ustar stores at most 11 octal digits of size. */
export const MAX_USTAR_SIZE = 0o77777777777;
export const MAX_USTAR_PATH = 255;

/** A malformed archive or a header this module cannot express; the message names the entry or offset. */
export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarError';
  }
}

export interface HeaderSpec {
  /** POSIX path; directories end with '/'. */
  path: string;
  type: 'file' | 'directory';
  size: number;
}

export function encodeHeader(spec: HeaderSpec): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  const { name, prefix } = splitPath(spec.path);
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, spec.type === 'directory' ? DIR_MODE : FILE_MODE);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  if (spec.size > MAX_USTAR_SIZE)
    throw new TarError(`${spec.path}: ${spec.size} bytes is more than ustar can store (${MAX_USTAR_SIZE})`);
  writeOctal(block, 124, 12, spec.type === 'directory' ? 0 : spec.size);
  writeOctal(block, 136, 12, TAR_MTIME);
  block.write(spec.type === 'directory' ? '5' : '0', 156, 1, 'ascii');
  block.write('ustar\u000000', 257, 8, 'ascii');
  // uname, gname stay empty (NUL); device numbers are zero
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  block.write(prefix, 345, 155, 'utf8');
  block.fill(0x20, 148, 156);
  writeChecksum(block);
  return block;
}

/** The path of a long entry goes into prefix + '/' + name, split at a slash; over 255 bytes is refused. */
function splitPath(path: string): { name: string; prefix: string } {
  const bytes = Buffer.byteLength(path);
  if (bytes <= 100) return { name: path, prefix: '' };
  if (bytes > MAX_USTAR_PATH)
    throw new TarError(`${path}: path is ${bytes} bytes; ustar stores at most ${MAX_USTAR_PATH}`);
  // the name part may keep a directory's trailing slash, so search from the last slash before it
  for (let i = path.length - 2; i > 0; i--) {
    if (path[i] !== '/') continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
    if (Buffer.byteLength(prefix) <= 155) break; // a shorter prefix only lengthens the name
  }
  throw new TarError(`${path}: path cannot be split into ustar prefix (155 bytes) and name (100 bytes)`);
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  const digits = value.toString(8).padStart(length - 1, '0');
  if (digits.length > length - 1) throw new TarError(`value ${value} does not fit a ${length}-byte field`);
  block.write(`${digits}\u0000`, offset, length, 'ascii');
}

function writeChecksum(block: Buffer): void {
  const sum = checksum(block);
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
}

/** Sum of the header bytes with the checksum field read as spaces. */
function checksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum;
}

function signedChecksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] << 24) >> 24;
  return sum;
}

export interface DecodedHeader {
  /** prefix/name joined, as stored (before any pax or GNU long-name override). */
  path: string;
  typeflag: string;
  size: number;
  mode: number;
  linkname: string;
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** Decodes one header block; throws TarError on a bad checksum or an unreadable number. */
export function decodeHeader(block: Buffer, offset: number): DecodedHeader {
  let stored: number;
  try {
    stored = parseNumber(block, 148, 8, 'checksum');
  } catch {
    stored = -1;
  }
  if (stored !== checksum(block) && stored !== signedChecksum(block))
    throw new TarError(`header at byte ${offset}: bad checksum (not a tar archive, or corrupt)`);
  const name = cString(block, 0, 100);
  const magic = block.subarray(257, 263).toString('latin1');
  const prefix = magic === 'ustar\u0000' ? cString(block, 345, 155) : '';
  const path = prefix ? `${prefix}/${name}` : name;
  const typeflag = block[156] === 0 ? '0' : String.fromCharCode(block[156]);
  return {
    path,
    typeflag,
    size: parseNumber(block, 124, 12, `${path || `header at byte ${offset}`}: size`),
    mode: parseNumber(block, 100, 8, `${path}: mode`),
    linkname: cString(block, 157, 100),
  };
}

function cString(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** Octal text, or GNU base-256 when the top bit of the first byte is set. */
function parseNumber(block: Buffer, offset: number, length: number, what: string): number {
  const field = block.subarray(offset, offset + length);
  if (field[0] & 0x80) {
    if (field[0] === 0xff) throw new TarError(`${what}: negative base-256 number`);
    let value = field[0] & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + field[i];
    if (!Number.isSafeInteger(value)) throw new TarError(`${what}: number too large`);
    return value;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^[ ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`${what}: "${text}" is not an octal number`);
  return parseInt(text, 8);
}

/** Pax extended header records: `<length> <key>=<value>\n`, length counting the whole record. */
export function parsePaxRecords(data: Buffer, where: string): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // NUL padding some writers leave
    const space = data.indexOf(0x20, pos);
    if (space === -1) throw new TarError(`${where}: malformed pax record at byte ${pos}`);
    const lenText = data.subarray(pos, space).toString('latin1');
    const len = /^[0-9]+$/.test(lenText) ? parseInt(lenText, 10) : NaN;
    if (!(len > space - pos + 1) || pos + len > data.length || data[pos + len - 1] !== 0x0a)
      throw new TarError(`${where}: malformed pax record at byte ${pos}`);
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq <= 0) throw new TarError(`${where}: malformed pax record at byte ${pos}`);
    out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

export function paddingFor(size: number): number {
  const rem = size % BLOCK_SIZE;
  return rem === 0 ? 0 : BLOCK_SIZE - rem;
}

/** The end-of-archive marker: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK_SIZE);
