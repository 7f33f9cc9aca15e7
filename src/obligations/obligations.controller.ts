import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiIfMatch, IfMatch } from '../common/if-match.js';
import { ApiProblems } from '../common/openapi.js';
import { UuidPipe } from '../common/validation/validation.js';
import { CatalogListDto, CatalogVersionDto, CreateCatalogVersionDto, CreateDecisionDto, CreateSubmissionDto, ObligationDto, ObligationListDto, ObligationsQuery } from './dto/obligation.dto.js';
import { ObligationsService } from './obligations.service.js';

const STATUS_RULES =
  'Status on the day: WAIVED once waived; MET once a submission meeting it is accepted (a PERCENT_TARGET: the reported value reaches the target); ' +
  'otherwise PENDING up to the due date (inclusive: P1Y from 2021-04-09 is due 2022-04-08), EXTENDED up to an extension\'s new due date, OVERDUE after it. ' +
  'Only decisions made on or before the day count, so `on` works into the past and the future.';

@ApiTags('obligations')
@ApiBearerAuth()
@Controller('api/v1')
export class ObligationsController {
  constructor(private readonly obligations: ObligationsService) {}

  @Get('licenses/:id/obligations')
  @ApiOperation({ summary: "A license's conditions with their status on a date (default today) and their evidence", description: STATUS_RULES })
  @ApiOkResponse({ type: ObligationListDto })
  @ApiProblems(400, 401, 404)
  list(@Param('id', new UuidPipe()) id: string, @Query() query: ObligationsQuery): Promise<ObligationListDto> {
    return this.obligations.list(id, query.on);
  }

  @Post('licenses/:id/obligations/:obligationId/submissions')
  @ApiOperation({ summary: 'Record evidence submitted for a condition (JSON; a reported value for a PERCENT_TARGET)' })
  @ApiCreatedResponse({ type: ObligationDto, description: 'The condition with its status today' })
  @ApiProblems(400, 401, 403, 404, 422)
  submit(@Param('id', new UuidPipe()) id: string, @Param('obligationId', new UuidPipe()) obligationId: string, @Body() body: CreateSubmissionDto): Promise<ObligationDto> {
    return this.obligations.submit(id, obligationId, body);
  }

  @Post('licenses/:id/obligations/:obligationId/decisions')
  @Roles('ADMIN')
  @ApiIfMatch()
  @ApiOperation({
    summary: 'Decide on a condition (ADMIN): ACCEPT or REJECT a submission, EXTEND the due date (at most 2 years past the original), or WAIVE it',
    description: `Made by an ADMIN alone (not through four eyes), dated today, audited. ${STATUS_RULES}`,
  })
  @ApiCreatedResponse({ type: ObligationDto, description: 'The condition with its status today' })
  @ApiProblems(400, 401, 403, 404, 409, 412, 422, 428)
  decide(@Param('id', new UuidPipe()) id: string, @Param('obligationId', new UuidPipe()) obligationId: string, @Body() body: CreateDecisionDto, @IfMatch() version: number): Promise<ObligationDto> {
    return this.obligations.decide(id, obligationId, version, body);
  }

  @Get('obligation-catalog')
  @ApiOperation({ summary: 'The catalog of license conditions, every version with its conditions and sources' })
  @ApiOkResponse({ type: CatalogListDto })
  @ApiProblems(401)
  async catalog(): Promise<CatalogListDto> {
    return { items: await this.obligations.catalog() };
  }

  @Post('obligation-catalog')
  @Roles('ADMIN')
  @ApiOperation({ summary: 'Add a catalog version (ADMIN): licenses issued from its effectiveFrom get its conditions; no version is ever edited' })
  @ApiCreatedResponse({ type: CatalogVersionDto })
  @ApiProblems(400, 401, 403, 422)
  addVersion(@Body() body: CreateCatalogVersionDto): Promise<CatalogVersionDto> {
    return this.obligations.addVersion(body);
  }
}
