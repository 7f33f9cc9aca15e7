import { Injectable } from '@nestjs/common';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { SharedCounters } from '../common/shared-counters.js';
import { ProblemException } from '../common/problem.js';

/** Failed logins allowed per account and client address within LOGIN_WINDOW_S before logins are refused. */
export const LOGIN_FAILURES = 5;
const LOGIN_WINDOW_S = 60;
/** How long logins for that account from that address are then refused. */
const LOGIN_BLOCK_S = 300;

/**
 * The login throttle: only failed logins count (a member of staff who signs in often is never locked out), per
 * account and client address, in rate-limiter-flexible's fixed windows. After LOGIN_FAILURES failures within a
 * minute, logins for that account from that address are refused for five minutes: 429 TOO_MANY_LOGIN_ATTEMPTS
 * with Retry-After. (Brute-force protection as OWASP's Authentication Cheat Sheet describes it.)
 */
@Injectable()
export class LoginAttempts {
  private readonly failures: RateLimiterAbstract;

  constructor(counters: SharedCounters) {
    // Shared by every instance through Redis when REDIS_URL is set (common/shared-counters.ts).
    this.failures = counters.limiter('login-failures', { points: LOGIN_FAILURES, duration: LOGIN_WINDOW_S });
  }

  /** 429 TOO_MANY_LOGIN_ATTEMPTS (with Retry-After) when this account is blocked for this address. */
  async assertAllowed(account: string, client: string): Promise<void> {
    const state = await this.failures.get(keyOf(account, client));
    if (state && state.consumedPoints >= LOGIN_FAILURES) {
      throw new ProblemException(429, 'TOO_MANY_LOGIN_ATTEMPTS', 'Too many failed logins for this account from this address; wait for the time in Retry-After').retryAfter(
        state.msBeforeNext / 1000,
      );
    }
  }

  /** Counts a failed login; the one that reaches LOGIN_FAILURES blocks the account for this address. */
  async failed(account: string, client: string): Promise<void> {
    const key = keyOf(account, client);
    const state = await this.failures.penalty(key, 1);
    if (state.consumedPoints >= LOGIN_FAILURES) await this.failures.block(key, LOGIN_BLOCK_S);
  }
}

function keyOf(account: string, client: string): string {
  return `${client}|${account.trim().toLowerCase()}`;
}
