import type { RedisAdmin } from '../platform/fault-target.js';
import { redisCommand, type RedisEndpoint } from './local/observability/redis-resp.js';

/** Redis admin commands over RESP on a fresh connection each time; the endpoint is resolved per call. */
export class RespRedisAdmin implements RedisAdmin {
  constructor(private readonly endpoint: () => Promise<RedisEndpoint>) {}

  async command(args: string[], opts?: { password?: string }): Promise<unknown> {
    const ep = await this.endpoint();
    return redisCommand(
      { ...ep, ...(opts?.password !== undefined ? { password: opts.password } : {}) },
      args,
    );
  }
}
