import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/openapi.js';
import { AuditService } from './audit.service.js';
import { AuditPageDto, AuditVerifyDto, ListAuditQuery } from './dto/audit.dto.js';

@ApiTags('audit')
@ApiBearerAuth()
@Roles('ADMIN', 'OFFICER')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'The audit trail, newest first: who changed what, when and why' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiProblems(400, 401, 403)
  list(@Query() query: ListAuditQuery): Promise<AuditPageDto> {
    return this.audit.list(query);
  }

  @Get('verify')
  @ApiOperation({ summary: 'Walk the whole hash chain: {ok, length, head, failures}, every event that does not verify listed (at most 1000)' })
  @ApiOkResponse({ type: AuditVerifyDto })
  @ApiProblems(401, 403)
  verify(): Promise<AuditVerifyDto> {
    return this.audit.verify();
  }
}
