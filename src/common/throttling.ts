import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { ProblemException } from './problem.js';

/** The named limits (ThrottlerModule in AppModule): staff login attempts, and public requests per address. */
export const THROTTLE = { LOGIN: 'login', PUBLIC: 'public' } as const;

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

/** Login attempts per account and client address. */
@Injectable()
export class LoginThrottlerGuard extends ProblemThrottlerGuard {
  protected readonly code = 'TOO_MANY_LOGIN_ATTEMPTS';
  protected readonly detail = 'Too many login attempts for this account from this address; wait for the time in Retry-After';

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const body = req.body as { email?: unknown } | undefined;
    const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
    return `${String(req.ip)}|${email}`;
  }
}

/** Public requests per client address, counted across every public route and page together. */
@Injectable()
export class PublicThrottlerGuard extends ProblemThrottlerGuard {
  protected readonly code = 'TOO_MANY_REQUESTS';
  protected readonly detail = 'Too many requests from this address; wait for the time in Retry-After';

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }
}
