import net from 'node:net';

/** One connection as the fake saw it. */
export interface FakePostgresSession {
  user: string;
  database: string;
  password: string;
  queries: string[];
}

/**
 * A PostgreSQL stand-in speaking just enough of the wire protocol (v3) for node-postgres: the startup
 * message, a cleartext password, simple queries answered with one int4 column `answer` = 1, and an
 * error for the extended protocol (statements with parameters). Records every session.
 */
export class FakePostgresServer {
  readonly sessions: FakePostgresSession[] = [];

  private constructor(private readonly server: net.Server) {}

  static async start(): Promise<FakePostgresServer> {
    const ref: { self?: FakePostgresServer } = {};
    const server = net.createServer((socket) => {
      const session: FakePostgresSession = { user: '', database: '', password: '', queries: [] };
      ref.self?.sessions.push(session);
      let buf = Buffer.alloc(0);
      let started = false;
      let skipToSync = false;
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          if (!started) {
            if (buf.length < 4 || buf.length < buf.readInt32BE(0)) return;
            const len = buf.readInt32BE(0);
            const fields = buf
              .subarray(8, len - 1)
              .toString('utf8')
              .split('\0');
            for (let i = 0; i + 1 < fields.length; i += 2) {
              if (fields[i] === 'user') session.user = fields[i + 1] ?? '';
              if (fields[i] === 'database') session.database = fields[i + 1] ?? '';
            }
            buf = buf.subarray(len);
            started = true;
            socket.write(message('R', int32(3))); // AuthenticationCleartextPassword
            continue;
          }
          if (buf.length < 5 || buf.length < 1 + buf.readInt32BE(1)) return;
          const type = String.fromCharCode(buf[0] ?? 0);
          const len = buf.readInt32BE(1);
          const body = buf.subarray(5, 1 + len);
          buf = buf.subarray(1 + len);
          if (type === 'p') {
            session.password = body.subarray(0, body.length - 1).toString('utf8');
            socket.write(Buffer.concat([message('R', int32(0)), readyForQuery()]));
          } else if (type === 'Q') {
            session.queries.push(body.subarray(0, body.length - 1).toString('utf8'));
            socket.write(
              Buffer.concat([
                rowDescription('answer'),
                message('D', Buffer.concat([int16(1), int32(1), Buffer.from('1')])),
                message('C', cstring('SELECT 1')),
                readyForQuery(),
              ]),
            );
          } else if (type === 'X') {
            socket.end();
            return;
          } else if (type === 'S') {
            skipToSync = false;
            socket.write(readyForQuery());
          } else if (!skipToSync) {
            // The extended protocol (Parse, Bind…): refused, then everything up to Sync is ignored.
            skipToSync = true;
            socket.write(
              message(
                'E',
                Buffer.concat([
                  cstring('SERROR'),
                  cstring('C0A000'),
                  cstring('Mfake: simple queries only'),
                  Buffer.from([0]),
                ]),
              ),
            );
          }
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    ref.self = new FakePostgresServer(server);
    return ref.self;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const cstring = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');
const message = (type: string, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
const readyForQuery = (): Buffer => message('Z', Buffer.from('I'));
/** One int4 column (type oid 23), text format. */
const rowDescription = (name: string): Buffer =>
  message(
    'T',
    Buffer.concat([int16(1), cstring(name), int32(0), int16(0), int32(23), int16(4), int32(-1), int16(0)]),
  );
