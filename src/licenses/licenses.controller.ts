import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/openapi.js';
import { UuidPipe } from '../common/validation/validation.js';
import { AsOfQuery, LicenseDto, LicenseEventListDto, LicensePageDto, ListLicensesQuery } from './dto/license.dto.js';
import { LicensesService } from './licenses.service.js';

/** The license reads. The decisions (grant, amendment, lifecycle action) go through four eyes: proposals/license-decisions.controller.ts. */
@ApiTags('licenses')
@ApiBearerAuth()
@Controller('api/v1/licenses')
export class LicensesController {
  constructor(private readonly licenses: LicensesService) {}

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

  @Get(':id/events')
  @ApiOperation({ summary: "A license's lifecycle events, oldest first, each with who proposed and who approved it" })
  @ApiOkResponse({ type: LicenseEventListDto })
  @ApiProblems(400, 404)
  async events(@Param('id', new UuidPipe()) id: string): Promise<LicenseEventListDto> {
    return { items: await this.licenses.listEvents(id) };
  }
}
