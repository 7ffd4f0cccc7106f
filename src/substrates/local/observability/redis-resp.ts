import { connect } from 'node:net';

/** A Redis reply: simple/bulk strings, integers, nil, arrays; error replies become RedisReplyError. */
export type RespValue = string | number | null | RespValue[];

/** An error reply from Redis (`-ERR ...`, `-WRONGPASS ...`, `-OOM ...`). */
export class RedisReplyError extends Error {
  /** First word of the reply: ERR, WRONGPASS, NOAUTH, OOM... */
  readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = 'RedisReplyError';
    this.code = message.split(' ')[0];
  }
}

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const data = Buffer.from(String(arg), 'utf8');
    parts.push(Buffer.from(`$${data.length}\r\n`), data, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

type Parsed = { value: RespValue | RedisReplyError; next: number } | undefined;

/** Incremental RESP2 parser: feed bytes, take complete replies. */
export class RespParser {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Array<RespValue | RedisReplyError> {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: Array<RespValue | RedisReplyError> = [];
    for (;;) {
      const parsed = parseAt(this.buffer, 0);
      if (!parsed) break;
      out.push(parsed.value);
      this.buffer = this.buffer.subarray(parsed.next);
    }
    return out;
  }
}

function parseAt(buf: Buffer, pos: number): Parsed {
  const eol = buf.indexOf('\r\n', pos);
  if (eol === -1) return undefined;
  const type = String.fromCharCode(buf[pos]);
  const line = buf.toString('utf8', pos + 1, eol);
  const after = eol + 2;
  switch (type) {
    case '+':
      return { value: line, next: after };
    case '-':
      return { value: new RedisReplyError(line), next: after };
    case ':':
      return { value: Number(line), next: after };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return undefined;
      return { value: buf.toString('utf8', after, after + len), next: after + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: RespValue[] = [];
      let next = after;
      for (let i = 0; i < count; i++) {
        const item = parseAt(buf, next);
        if (!item) return undefined;
        // An error nested in an array (EXEC results) is kept as its message text.
        items.push(item.value instanceof RedisReplyError ? item.value.message : item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)} from Redis`);
  }
}

export interface RedisEndpoint {
  host: string;
  port: number;
  /** Sent with AUTH first; undefined sends none. */
  password?: string;
  timeoutMs?: number;
}

/**
 * Runs one command on a fresh connection (AUTH first when a password is given) and returns its
 * reply; an error reply throws RedisReplyError. A connection per call keeps no state that a fault
 * changing the password could invalidate.
 */
export function redisCommand(
  endpoint: RedisEndpoint,
  args: readonly (string | number)[],
): Promise<RespValue> {
  const timeoutMs = endpoint.timeoutMs ?? 5000;
  const commands = endpoint.password !== undefined ? [['AUTH', endpoint.password], args] : [args];
  return new Promise<RespValue>((resolve, reject) => {
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    const parser = new RespParser();
    const replies: Array<RespValue | RedisReplyError> = [];
    let settled = false;
    const finish = (err: Error | undefined, value?: RespValue): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value ?? null);
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `redis ${endpoint.host}:${endpoint.port}: no reply to ${String(args[0])} within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    socket.once('connect', () => socket.write(Buffer.concat(commands.map(encodeCommand))));
    socket.on('data', (chunk: Buffer) => {
      try {
        replies.push(...parser.push(chunk));
      } catch (err) {
        finish(err as Error);
        return;
      }
      if (replies.length < commands.length) return;
      if (commands.length === 2) {
        const auth = replies[0];
        // AUTH against a server without a password is harmless; any other AUTH failure is the answer.
        if (auth instanceof RedisReplyError && !/without any password configured/i.test(auth.message)) {
          finish(auth);
          return;
        }
      }
      const reply = replies[commands.length - 1];
      if (reply instanceof RedisReplyError) finish(reply);
      else finish(undefined, reply);
    });
    socket.once('error', (err) => finish(err));
    socket.once('close', () =>
      finish(new Error(`redis ${endpoint.host}:${endpoint.port} closed the connection`)),
    );
  });
}
