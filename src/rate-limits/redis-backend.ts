import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimitSetting } from '../config/parse.ts';
import { Limit } from './limiter.ts';
import type { LimitBackend } from './rate-limits.ts';

export interface RedisBackendOptions {
  url: string;
  keyPrefix: string;
  logger: Logger;
}

/** Hides the password of a redis:// URL for logs. */
function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * Limits shared by every node through Redis (S19). Each limit has an in-memory insurance limiter
 * with the same setting: while Redis is unreachable the limits keep working per node (the
 * service keeps answering), a warning is logged once, and shared counting resumes by itself
 * when Redis is back (ioredis reconnects in the background).
 */
export class RedisLimitBackend implements LimitBackend {
  readonly client: Redis;
  private available = false;
  private warned = false;
  private closing = false;

  constructor(private readonly options: RedisBackendOptions) {
    // ioredis (CommonJS) is loaded only here, when REDIS_URL is set: a single node never loads it.
    const { Redis: RedisClient } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
    this.client = new RedisClient(options.url, {
      // Never queue commands while disconnected: fail fast into the insurance limiter instead.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1_000,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    const where = redactRedisUrl(options.url);
    this.client.on('ready', () => {
      this.available = true;
      if (this.warned) options.logger.info({ redis: where }, 'Redis is reachable again: rate limits are shared across nodes again');
      else options.logger.info({ redis: where }, 'rate limits are shared through Redis');
      this.warned = false;
    });
    const down = (reason: string) => {
      this.available = false;
      if (this.warned || this.closing) return;
      this.warned = true;
      options.logger.warn(
        { redis: where, reason },
        'Redis is unreachable: rate limits fall back to in-memory limits on this node until it returns',
      );
    };
    this.client.on('error', (error: Error) => down(error.message));
    this.client.on('close', () => down('connection closed'));
  }

  /** Whether limits are currently counted in Redis (false while falling back to memory). */
  get shared(): boolean {
    return this.available;
  }

  make(name: string, setting: RateLimitSetting): Limit {
    const keyPrefix = `${this.options.keyPrefix}:${name}`;
    return new Limit(
      name,
      new RateLimiterRedis({
        storeClient: this.client,
        keyPrefix,
        points: setting.points,
        duration: setting.durationSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points: setting.points, duration: setting.durationSeconds }),
      }),
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    this.client.disconnect(false);
  }
}
