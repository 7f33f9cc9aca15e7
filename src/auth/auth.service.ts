import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ProblemException } from '../common/problem.js';
import { isUuid } from '../common/validation/validation.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import type { LoginDto, TokenDto } from './dto/staff.dto.js';
import { type StaffUser } from './staff-user.entity.js';
import { LoginAttempts } from './login-attempts.js';
import { hashPassword, StaffService, verifyPassword } from './staff.service.js';

/** How far a token's issue time may be ahead of this server's clock (another instance's clock may run ahead). */
const CLOCK_SKEW_MS = 60_000;

/** What an access token carries. `iatMs` lets a logout revoke tokens issued earlier in the same second. */
export interface TokenClaims {
  sub: string;
  role: string;
  iatMs: number;
}

const invalidCredentials = () => new ProblemException(401, 'INVALID_CREDENTIALS', 'E-mail or password is wrong, or the account is deactivated');

@Injectable()
export class AuthService {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly staff: StaffService,
    private readonly jwt: JwtService,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    private readonly attempts: LoginAttempts,
  ) {}

  /**
   * Checks the password (argon2id) and issues a short-lived bearer token. One answer for every failure (401);
   * 429 TOO_MANY_LOGIN_ATTEMPTS after too many failures for this account from this client address (LoginAttempts).
   */
  async login(input: LoginDto, client: string): Promise<TokenDto> {
    await this.attempts.assertAllowed(input.email, client);
    const user = await this.staff.findByEmail(input.email);
    if (!user) {
      // Spend the same time as a real check, so response times do not reveal which e-mails exist.
      this.dummyHash ??= hashPassword('not a real password, only for timing');
      await verifyPassword(await this.dummyHash, input.password);
      await this.attempts.failed(input.email, client);
      throw invalidCredentials();
    }
    if (!(await verifyPassword(user.passwordHash, input.password)) || !user.active) {
      await this.attempts.failed(input.email, client);
      throw invalidCredentials();
    }
    await this.staff.recordLogin(user);
    return this.issue(user);
  }

  /** A signed bearer token (HS256 JWT: sub = staff id, role, issue time in ms) that expires after AUTH token TTL seconds (`expiresIn`). */
  issue(user: Pick<StaffUser, 'id' | 'role'>): TokenDto {
    const claims: TokenClaims = { sub: user.id, role: user.role, iatMs: Date.now() };
    const accessToken = this.jwt.sign(claims, { expiresIn: this.config.auth.tokenTtlSeconds, algorithm: 'HS256' });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.auth.tokenTtlSeconds };
  }

  /**
   * The claims of a valid, unexpired token with the claims `issue` puts in it: `sub` a staff id (UUID string),
   * `iatMs` a time not later than now (give or take CLOCK_SKEW_MS), and an expiry. 401 TOKEN_EXPIRED or
   * TOKEN_INVALID otherwise: a token signed with the right key but other claims is still not one of ours.
   */
  async verify(token: string): Promise<TokenClaims> {
    let claims: Partial<TokenClaims> & { exp?: unknown };
    try {
      claims = await this.jwt.verifyAsync(token, { algorithms: ['HS256'] });
    } catch (e) {
      const expired = (e as Error).name === 'TokenExpiredError';
      throw new ProblemException(401, expired ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID', expired ? 'The access token has expired: log in again' : 'The access token is not valid');
    }
    const issued = claims.iatMs;
    if (typeof claims.exp !== 'number' || !isUuid(claims.sub) || typeof issued !== 'number' || !Number.isFinite(issued) || issued > Date.now() + CLOCK_SKEW_MS) {
      throw new ProblemException(401, 'TOKEN_INVALID', 'The access token is not valid');
    }
    return claims as TokenClaims;
  }
}
