import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ProblemException } from '../common/problem.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import type { LoginDto, TokenDto } from './dto/staff.dto.js';
import { type StaffUser } from './staff-user.entity.js';
import { hashPassword, StaffService, verifyPassword } from './staff.service.js';

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
  ) {}

  /** Checks the password (argon2id) and issues a short-lived bearer token. One answer for every failure. */
  async login(input: LoginDto): Promise<TokenDto> {
    const user = await this.staff.findByEmail(input.email);
    if (!user) {
      // Spend the same time as a real check, so response times do not reveal which e-mails exist.
      this.dummyHash ??= hashPassword('not a real password, only for timing');
      await verifyPassword(await this.dummyHash, input.password);
      throw invalidCredentials();
    }
    if (!(await verifyPassword(user.passwordHash, input.password)) || !user.active) throw invalidCredentials();
    await this.staff.recordLogin(user);
    return this.issue(user);
  }

  /** A signed bearer token (HS256 JWT: sub = staff id, role, issue time in ms) that expires after AUTH token TTL seconds (`expiresIn`). */
  issue(user: Pick<StaffUser, 'id' | 'role'>): TokenDto {
    const claims: TokenClaims = { sub: user.id, role: user.role, iatMs: Date.now() };
    const accessToken = this.jwt.sign(claims, { expiresIn: this.config.auth.tokenTtlSeconds, algorithm: 'HS256' });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.auth.tokenTtlSeconds };
  }

  /** The claims of a valid, unexpired token; 401 otherwise. */
  async verify(token: string): Promise<TokenClaims> {
    try {
      return await this.jwt.verifyAsync<TokenClaims>(token, { algorithms: ['HS256'] });
    } catch (e) {
      const expired = (e as Error).name === 'TokenExpiredError';
      throw new ProblemException(401, expired ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID', expired ? 'The access token has expired: log in again' : 'The access token is not valid');
    }
  }
}
