import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/openapi.js';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedRequest } from '../common/request-context.js';
import { Public, Roles } from './auth.decorators.js';
import { AuthService } from './auth.service.js';
import { LoginDto, StaffDto, TokenDto } from './dto/staff.dto.js';
import { StaffService } from './staff.service.js';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly staff: StaffService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Staff sign-in: a bearer token valid for 15 minutes (then sign in again)' })
  @ApiOkResponse({ type: TokenDto })
  @ApiProblems(400, 401)
  @ApiResponse({ status: 429, description: 'Too many attempts for this account from this address (see Retry-After)' })
  login(@Body() body: LoginDto, @Req() req: FastifyRequest): Promise<TokenDto> {
    return this.auth.login(body, req.ip); // request.ip: the client behind a trusted proxy (TRUST_PROXY)
  }

  @Post('logout')
  @Roles('ADMIN', 'OFFICER', 'ANALYST')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke every token of the signed-in account' })
  @ApiResponse({ status: 204, description: 'Revoked' })
  @ApiProblems(401)
  async logout(@Req() req: AuthenticatedRequest): Promise<void> {
    await this.staff.revokeTokens(req.staff!.id);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in staff account' })
  @ApiOkResponse({ type: StaffDto })
  @ApiProblems(401)
  me(@Req() req: AuthenticatedRequest): Promise<StaffDto> {
    return this.staff.get(req.staff!.id);
  }
}
