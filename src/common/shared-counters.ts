import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { type IRateLimiterOptions, RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Metrics } from './metrics.js';

/**
 * Where the rate-limit counters live: in this process's memory, or, with REDIS_URL, in Redis, shared by every
 * instance of the registry (two instances behind one proxy must not double a client's limit). rate-limiter-flexible
 * keeps them either way. When Redis cannot be reached, each instance counts in its own memory meanwhile (the
 * limiter's insurance), so requests are still answered, never 500; the outage is logged once and counted in the
 * metrics (`registry_redis_errors_total`).
 */
export class SharedCounters {
  private readonly logger = new Logger('Redis');
  private down = false;

  private constructor(
    private readonly redis: Redis | null,
    private readonly metrics: Metrics,
  ) {
    redis?.on('error', (e: Error) => {
      metrics.redisErrors.inc();
      if (!this.down) this.logger.warn(`Redis cannot be reached (${e.message}): rate limits count per instance until it can`);
      this.down = true;
    });
    redis?.on('ready', () => {
      if (this.down) this.logger.log('Redis reached again: rate limits are shared again');
      this.down = false;
    });
  }

  /** Counters in memory, or in the Redis of `redisUrl` (redis://host:port/db). */
  static open(redisUrl: string | null, metrics: Metrics): SharedCounters {
    // No offline queue: a command while Redis is away fails at once and the limiter falls back to memory.
    const redis = redisUrl ? new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }) : null;
    return new SharedCounters(redis, metrics);
  }

  /** A fixed-window limiter named `name` (its keys' prefix), shared through Redis when configured. */
  limiter(name: string, options: Omit<IRateLimiterOptions, 'keyPrefix'>): RateLimiterAbstract {
    const memory = new RateLimiterMemory({ ...options, keyPrefix: name });
    if (!this.redis) return memory;
    return new RateLimiterRedis({ ...options, keyPrefix: `license-registry:${name}`, storeClient: this.redis, insuranceLimiter: memory, rejectIfRedisNotReady: true });
  }

  /** Closes the Redis connection with the app (Nest calls it). */
  async onApplicationShutdown(): Promise<void> {
    this.redis?.disconnect();
  }
}
