import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerStorage } from '@nestjs/throttler';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { SharedCounters } from './shared-counters.js';
import proxyaddr from '@fastify/proxy-addr';
import type { TrustProxy } from '../config/config.js';
import { ProblemException } from './problem.js';

/** The named limit (ThrottlerModule in AppModule): public requests per address. (Failed logins: auth/login-attempts.ts.) */
export const THROTTLE = { PUBLIC: 'public' } as const;

/**
 * The counters behind @nestjs/throttler's limits, kept by rate-limiter-flexible: a fixed window per key, O(1)
 * a request. (@nestjs/throttler's own memory storage keeps and filters every hit of the window on every
 * request: at thousands of requests a minute from one address that cost and memory grow with the traffic.)
 * One limiter per named limit, created on first use with that limit's window, count and block duration.
 */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export class WindowThrottlerStorage implements ThrottlerStorage {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(private readonly counters: SharedCounters) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const id = `${throttlerName}|${ttl}|${limit}|${blockDuration}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = this.counters.limiter(id, { points: limit, duration: Math.max(1, Math.ceil(ttl / 1000)), blockDuration: Math.ceil(blockDuration / 1000) });
      this.limiters.set(id, limiter);
    }
    const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));
    try {
      const hit = await limiter.consume(key);
      return { totalHits: hit.consumedPoints, timeToExpire: seconds(hit.msBeforeNext), isBlocked: false, timeToBlockExpire: 0 };
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      return { totalHits: refused.consumedPoints, timeToExpire: seconds(refused.msBeforeNext), isBlocked: true, timeToBlockExpire: seconds(refused.msBeforeNext) };
    }
  }
}

/** @nestjs/throttler with a problem+json 429 and a plain `Retry-After` (seconds) whatever the limit's name. */
abstract class ProblemThrottlerGuard extends ThrottlerGuard {
  protected abstract readonly code: string;
  protected abstract readonly detail: string;

  protected override async throwThrottlingException(context: ExecutionContext, limit: ThrottlerLimitDetail): Promise<void> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    void reply.header('Retry-After', String(Math.max(1, Math.ceil(limit.timeToBlockExpire || limit.timeToExpire))));
    throw new ProblemException(429, this.code, this.detail);
  }
}

/** The storage key of a client address's public requests (one counter across every public route and page). */
function publicKey(ip: string): string {
  return `${THROTTLE.PUBLIC}:${ip}`;
}

const COUNTED = Symbol('publicRequestCounted');
type Counted = IncomingMessage & { [COUNTED]?: boolean };

/** The public limit's window (ThrottlerModule in AppModule): a minute. */
export const PUBLIC_WINDOW_MS = 60_000;

/** Whether the peer at hop `i` (0: the connection's) is a trusted proxy; from TRUST_PROXY (config.ts). */
export type ProxyTrust = (address: string, hop: number) => boolean;

/** No proxy is trusted (TRUST_PROXY unset): the client is the connection's peer. */
const TRUST_NONE: ProxyTrust = () => false;

/** The trust of TRUST_PROXY: none, the proxies' addresses and ranges, or the first `hops` peers. */
export function proxyTrust(trust: TrustProxy): ProxyTrust {
  if (!trust) return TRUST_NONE;
  if ('hops' in trust) return (_address, hop) => hop < trust.hops;
  return proxyaddr.compile(trust.addresses);
}

/**
 * The client address the limits count by and the logs show: the connection's peer, or, when that peer is a
 * trusted proxy (TRUST_PROXY), the nearest address in X-Forwarded-For that is not one (@fastify/proxy-addr, as
 * Fastify's own `request.ip`). Taken from the Node request so that the public fast path, in front of Fastify,
 * keys it the same way.
 */
export function clientAddress(raw: IncomingMessage, trust: ProxyTrust): string {
  const peer = raw.socket?.remoteAddress;
  if (!peer) return '';
  return trust === TRUST_NONE ? peer : proxyaddr(raw, trust);
}

/**
 * Counts one public request before Fastify routes it (the public fast path), with the same storage and key as
 * PublicThrottlerGuard, which then does not count it again. Returns the rate-limit headers for its response as a
 * flat list (name, value, ...), or undefined when the address is over its limit: the request then goes on to the
 * guard, which answers 429.
 */
export async function countPublicRequest(storage: ThrottlerStorage, raw: IncomingMessage, limit: number, trust: ProxyTrust): Promise<string[] | undefined> {
  const hit = await storage.increment(publicKey(clientAddress(raw, trust)), PUBLIC_WINDOW_MS, limit, PUBLIC_WINDOW_MS, THROTTLE.PUBLIC);
  if (hit.isBlocked) return undefined;
  (raw as Counted)[COUNTED] = true;
  return [
    `X-RateLimit-Limit-${THROTTLE.PUBLIC}`, String(limit),
    `X-RateLimit-Remaining-${THROTTLE.PUBLIC}`, String(Math.max(0, limit - hit.totalHits)),
    `X-RateLimit-Reset-${THROTTLE.PUBLIC}`, String(hit.timeToExpire),
  ];
}

/** Public requests per client address, counted across every public route and page together. */
@Injectable()
export class PublicThrottlerGuard extends ProblemThrottlerGuard {
  protected readonly code = 'TOO_MANY_REQUESTS';
  protected readonly detail = 'Too many requests from this address; wait for the time in Retry-After';

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Boolean((context.switchToHttp().getRequest<FastifyRequest>().raw as Counted)[COUNTED]);
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return (req as unknown as FastifyRequest).ip; // clientAddress: the adapter's trustProxy is proxyTrust(TRUST_PROXY)
  }

  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return publicKey(tracker);
  }
}
