import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitInfo, LineListener, ManagedProcess, OutputLine } from '../../../process/managed-process.js';
import type { ProcessRegistry } from '../../../process/process-registry.js';
import { requireTool, type ToolLocation } from '../../../tools/find-tool.js';
import { REDIS_SERVER } from '../../../tools/tool-specs.js';
import type { Clock } from '../../../util/clock.js';
import { writeFileAtomic } from '../../../util/write-file-atomic.js';
import type { ObservabilityService } from './observability-service.js';
import { renderRedisConfig } from './redis-config.js';
import { redisCommand, type RespValue } from './redis-resp.js';
import { startService } from './start-service.js';

export interface RedisProcessOptions {
  /** Holds redis.conf (mode 0600: it has the password) and `redis-data/`. */
  workDir: string;
  password?: string;
  maxmemory?: string;
  maxmemoryPolicy?: string;
  extraConfig?: Record<string, string>;
  binary?: ToolLocation;
  readyTimeoutMs?: number;
  registry?: ProcessRegistry;
  onLine?: LineListener;
  clock?: Clock;
}

/** A redis-server on a free loopback port, with an `exec` helper for health checks and faults. */
export class RedisProcess implements ObservabilityService {
  readonly name = 'redis';
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly url: string;
  readonly binary: ToolLocation;
  readonly configPath: string;
  private readonly proc: ManagedProcess;
  private currentPassword: string | undefined;

  private constructor(
    proc: ManagedProcess,
    port: number,
    binary: ToolLocation,
    configPath: string,
    password: string | undefined,
  ) {
    this.proc = proc;
    this.port = port;
    this.url = `redis://${this.host}:${port}`;
    this.binary = binary;
    this.configPath = configPath;
    this.currentPassword = password;
  }

  static async start(opts: RedisProcessOptions): Promise<RedisProcess> {
    const binary = opts.binary ?? (await requireTool(REDIS_SERVER));
    const dir = join(opts.workDir, 'redis-data');
    mkdirSync(dir, { recursive: true });
    const configPath = join(opts.workDir, 'redis.conf');
    const { process, port } = await startService({
      name: 'redis',
      command: binary.path,
      args: () => [configPath],
      prepare: (p) =>
        writeFileAtomic(
          configPath,
          renderRedisConfig({
            port: p,
            dir,
            password: opts.password,
            maxmemory: opts.maxmemory,
            maxmemoryPolicy: opts.maxmemoryPolicy,
            extra: opts.extraConfig,
          }),
          0o600,
        ),
      ready: async (p) =>
        (await redisCommand({ host: '127.0.0.1', port: p, password: opts.password, timeoutMs: 1000 }, [
          'PING',
        ])) === 'PONG',
      readyTimeoutMs: opts.readyTimeoutMs,
      registry: opts.registry,
      onLine: opts.onLine,
      clock: opts.clock,
    });
    return new RedisProcess(process, port, binary, configPath, opts.password);
  }

  get pid(): number {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc.running;
  }

  /** The password `exec` authenticates with: the configured one, or the last one set through exec. */
  get password(): string | undefined {
    return this.currentPassword;
  }

  /**
   * Runs one command (e.g. `exec('CONFIG', 'SET', 'maxmemory', '1mb')`) and returns the reply;
   * error replies throw RedisReplyError. `CONFIG SET requirepass` through here also updates the
   * password exec uses, so the fault that changed it can still change it back.
   */
  async exec(...args: Array<string | number>): Promise<RespValue> {
    const reply = await redisCommand(
      { host: this.host, port: this.port, password: this.currentPassword },
      args,
    );
    const [cmd, sub, key, value] = args.map(String);
    if (
      cmd?.toUpperCase() === 'CONFIG' &&
      sub?.toUpperCase() === 'SET' &&
      key?.toLowerCase() === 'requirepass'
    ) {
      this.currentPassword = value === '' ? undefined : value;
    }
    return reply;
  }

  /** PING answered with PONG. */
  async ping(): Promise<boolean> {
    try {
      return (await this.exec('PING')) === 'PONG';
    } catch {
      return false;
    }
  }

  onLine(listener: LineListener): () => void {
    return this.proc.onLine(listener);
  }

  recentOutput(): OutputLine[] {
    return this.proc.recentOutput();
  }

  stop(graceMs = 5000): Promise<ExitInfo> {
    return this.proc.stop(graceMs);
  }
}
