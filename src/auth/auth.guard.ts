import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectRepository } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { Repository } from 'typeorm';
import { ProblemException } from '../common/problem.js';
import type { AuthenticatedRequest } from '../common/request-context.js';
import { defaultRoles, PUBLIC_KEY, ROLES_KEY } from './auth.decorators.js';
import { AuthService } from './auth.service.js';
import type { StaffRole } from '../common/roles.js';
import { StaffUser } from './staff-user.entity.js';

/**
 * The global guard: every route needs a staff bearer token unless marked @Public(). The account is read on
 * every request, so a deactivation or logout takes effect at once. Roles: @Roles(...) or defaultRoles().
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @InjectRepository(StaffUser) private readonly staff: Repository<StaffUser>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match) {
      void reply.header('WWW-Authenticate', 'Bearer realm="license-registry"');
      throw new ProblemException(401, 'AUTHENTICATION_REQUIRED', 'Sign in: send Authorization: Bearer <token> from POST /api/v1/auth/login');
    }
    let claims;
    try {
      claims = await this.auth.verify(match[1]);
    } catch (e) {
      void reply.header('WWW-Authenticate', 'Bearer realm="license-registry", error="invalid_token"');
      throw e;
    }
    const user = await this.staff.findOne({ where: { id: claims.sub } });
    if (!user || !user.active || (user.tokensValidAfter && claims.iatMs <= user.tokensValidAfter.getTime())) {
      void reply.header('WWW-Authenticate', 'Bearer realm="license-registry", error="invalid_token"');
      throw new ProblemException(401, 'TOKEN_REVOKED', 'The access token was revoked (logout, password change or deactivated account): log in again');
    }
    const roles = this.reflector.getAllAndOverride<StaffRole[]>(ROLES_KEY, targets) ?? defaultRoles(request.method);
    if (!roles.includes(user.role)) {
      throw new ProblemException(403, 'ROLE_NOT_ALLOWED', `Your role ${user.role} may not do this; it needs ${roles.join(' or ')}`);
    }
    request.staff = { id: user.id, role: user.role, email: user.email };
    return true;
  }
}
