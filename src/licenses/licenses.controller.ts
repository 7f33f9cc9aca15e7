import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, IfMatch } from '../common/if-match.js';
import { Idempotent } from '../idempotency/idempotency.js';
import { ApiProblems } from '../common/openapi.js';
import { UuidPipe } from '../common/validation/validation.js';
import {
  AmendLicenseDto,
  AsOfQuery,
  CreateLicenseEventDto,
  GrantLicenseDto,
  LicenseDto,
  LicenseEventListDto,
  LicensePageDto,
  ListLicensesQuery,
} from './dto/license.dto.js';
import { LicensesService } from './licenses.service.js';

@ApiTags('licenses')
@ApiBearerAuth()
@Controller('api/v1/licenses')
export class LicensesController {
  constructor(private readonly licenses: LicensesService) {}

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Grant a license (creates it with its GRANTED event)' })
  @ApiCreatedResponse({ type: LicenseDto })
  @ApiProblems(400, 404, 409, 422)
  grant(@Body() body: GrantLicenseDto): Promise<LicenseDto> {
    return this.licenses.grant(body);
  }

  @Get()
  @ApiOperation({ summary: 'List licenses with their status on a date' })
  @ApiOkResponse({ type: LicensePageDto })
  @ApiProblems(400)
  list(@Query() query: ListLicensesQuery): Promise<LicensePageDto> {
    return this.licenses.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a license with its lifecycle history and its status on a date (default today)' })
  @ApiOkResponse({ type: LicenseDto })
  @ApiProblems(400, 404)
  get(@Param('id', new UuidPipe()) id: string, @Query() query: AsOfQuery): Promise<LicenseDto> {
    return this.licenses.get(id, query.on);
  }

  @Patch(':id')
  @ApiIfMatch()
  @ApiOperation({ summary: 'Amend a license (number, brands, plant, conditions); recorded as an AMENDED event' })
  @ApiOkResponse({ type: LicenseDto })
  @ApiProblems(400, 404, 409)
  amend(@Param('id', new UuidPipe()) id: string, @Body() body: AmendLicenseDto, @IfMatch() version: number): Promise<LicenseDto> {
    return this.licenses.amend(id, body, version);
  }

  @Get(':id/events')
  @ApiOperation({ summary: "A license's lifecycle events, oldest first" })
  @ApiOkResponse({ type: LicenseEventListDto })
  @ApiProblems(400, 404)
  async events(@Param('id', new UuidPipe()) id: string): Promise<LicenseEventListDto> {
    return { items: await this.licenses.listEvents(id) };
  }

  @Post(':id/events')
  @ApiIfMatch()
  @ApiOperation({
    summary: 'Record a lifecycle action: SUSPENDED, REINSTATED, RENEWED, REVOKED or SURRENDERED',
    description:
      'Allowed from (status on effectiveOn): SUSPENDED from ACTIVE; REINSTATED from SUSPENDED; RENEWED from ACTIVE, SUSPENDED or EXPIRED; ' +
      'REVOKED and SURRENDERED from ACTIVE or SUSPENDED (terminal). Anything else is a 422 naming the status. Returns the license.',
  })
  @ApiCreatedResponse({ type: LicenseDto })
  @ApiProblems(400, 404, 409, 422)
  addEvent(@Param('id', new UuidPipe()) id: string, @Body() body: CreateLicenseEventDto, @IfMatch() version: number): Promise<LicenseDto> {
    return this.licenses.addEvent(id, body, version);
  }
}
