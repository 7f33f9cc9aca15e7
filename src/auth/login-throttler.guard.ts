import { Injectable } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard } from '@nestjs/throttler';
import { ProblemException } from '../common/problem.js';

/** Login attempts are counted per account and client address (@nestjs/throttler); over the limit: 429 + Retry-After. */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const body = req.body as { email?: unknown } | undefined;
    const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
    return `${String(req.ip)}|${email}`;
  }

  protected override async throwThrottlingException(): Promise<void> {
    throw new ProblemException(429, 'TOO_MANY_LOGIN_ATTEMPTS', 'Too many login attempts for this account from this address; wait for the time in Retry-After');
  }
}

export { ThrottlerException };
