/**
 * The little of the DNS wire format (RFC 1035) the local substrate's cluster DNS speaks: one question in,
 * one A record, an empty answer or NXDOMAIN out. Anything else it cannot parse is dropped, as a server
 * drops garbage.
 */

export const TYPE_A = 1;
const CLASS_IN = 1;
export const RCODE_NOERROR = 0;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;

export interface DnsQuestion {
  id: number;
  /** Recursion desired, echoed back. */
  rd: boolean;
  /** Lower-case, without the trailing dot. */
  name: string;
  type: number;
  qclass: number;
  /** The question section as received, echoed back in the answer. */
  raw: Buffer;
}

/** The first question of a query, or undefined for anything that is not a well-formed standard query. */
export function parseQuery(msg: Buffer): DnsQuestion | undefined {
  if (msg.length < 12) return undefined;
  const flags = msg.readUInt16BE(2);
  const isResponse = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0xf;
  if (isResponse || opcode !== 0 || msg.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    if (at >= msg.length) return undefined;
    const len = msg[at];
    // Compression pointers never appear in a question a resolver sends; a label is at most 63 bytes.
    if (len > 63) return undefined;
    at += 1;
    if (len === 0) break;
    if (at + len > msg.length) return undefined;
    labels.push(msg.toString('latin1', at, at + len).toLowerCase());
    at += len;
  }
  if (at + 4 > msg.length) return undefined;
  return {
    id: msg.readUInt16BE(0),
    rd: (flags & 0x0100) !== 0,
    name: labels.join('.'),
    type: msg.readUInt16BE(at),
    qclass: msg.readUInt16BE(at + 2),
    raw: msg.subarray(12, at + 4),
  };
}

/** Encodes a name as DNS labels (for tests and clients). */
export function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([
    ...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')])),
    Buffer.from([0]),
  ]);
}

/** A standard query for `name` (tests, and what a resolver sends). */
export function buildQuery(id: number, name: string, type = TYPE_A): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, encodeName(name), tail]);
}

/**
 * The answer to `q`: `rcode` with, for NOERROR and an address, one A record (the name as a pointer to the
 * question, `ttlSeconds`), as an authoritative server answers.
 */
export function buildAnswer(q: DnsQuestion, rcode: number, address?: string, ttlSeconds = 5): Buffer {
  const withRecord = rcode === RCODE_NOERROR && address !== undefined;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  // QR, AA, RD echoed, RA, rcode.
  header.writeUInt16BE(0x8000 | 0x0400 | (q.rd ? 0x0100 : 0) | 0x0080 | (rcode & 0xf), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(withRecord ? 1 : 0, 6);
  if (!withRecord) return Buffer.concat([header, q.raw]);
  const record = Buffer.alloc(16);
  record.writeUInt16BE(0xc00c, 0);
  record.writeUInt16BE(TYPE_A, 2);
  record.writeUInt16BE(CLASS_IN, 4);
  record.writeUInt32BE(ttlSeconds, 6);
  record.writeUInt16BE(4, 10);
  address.split('.').forEach((octet, i) => record.writeUInt8(Number(octet) & 0xff, 12 + i));
  return Buffer.concat([header, q.raw, record]);
}

/** The rcode and first A record of an answer (tests). */
export function parseAnswer(msg: Buffer): { id: number; rcode: number; addresses: string[] } {
  const id = msg.readUInt16BE(0);
  const rcode = msg.readUInt16BE(2) & 0xf;
  const answers = msg.readUInt16BE(6);
  let at = 12;
  while (msg[at] !== 0) at += msg[at] + 1;
  at += 5;
  const addresses: string[] = [];
  for (let i = 0; i < answers; i++) {
    at += 2;
    const type = msg.readUInt16BE(at);
    const len = msg.readUInt16BE(at + 8);
    if (type === TYPE_A && len === 4) addresses.push([...msg.subarray(at + 10, at + 14)].join('.'));
    at += 10 + len;
  }
  return { id, rcode, addresses };
}
