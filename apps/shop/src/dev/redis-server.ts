import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildProcessGroup } from './child-process-group.js';
import { freePorts } from './free-port.js';
import { waitForPort } from './wait-for-port.js';

export interface RedisServerOptions {
  /** Defaults to a free loopback port. */
  port?: number;
  /** Defaults to a random one. */
  password?: string;
  /** Working directory (nothing is persisted there); defaults to a temporary one, removed by stop(). */
  dir?: string;
}

export interface RedisServer {
  port: number;
  password: string;
  process: ChildProcessGroup;
  stop(): Promise<void>;
}

/**
 * A password-protected, non-persistent `redis-server` on 127.0.0.1, resolved once it accepts connections:
 * the shop's Redis in launchShop() and in tests that need a real one.
 */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const port = opts.port ?? (await freePorts(1))[0];
  const password = opts.password ?? `pw-${Math.random().toString(36).slice(2)}`;
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'redis-'));
  const proc = new ChildProcessGroup({
    name: 'redis',
    command: 'redis-server',
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--requirepass',
      password,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--loglevel',
      'warning',
    ],
    env: process.env,
  });
  const stop = async () => {
    await proc.stop();
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, password, process: proc, stop };
}
