import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, IfMatch } from '../common/if-match.js';
import { Idempotent } from '../idempotency/idempotency.js';
import { ApiProblems } from '../common/openapi.js';
import { UuidPipe } from '../common/validation/validation.js';
import { CompaniesService } from './companies.service.js';
import { CompanyDto, CompanyPageDto, CreateCompanyDto, DeleteCompanyQuery, ListCompaniesQuery, LookAlikesDto, UpdateCompanyDto } from './dto/company.dto.js';

@ApiTags('companies')
@ApiBearerAuth()
@Controller('api/v1/companies')
export class CompaniesController {
  constructor(private readonly companies: CompaniesService) {}

  @Post()
  @Idempotent()
  @ApiOperation({ summary: 'Register a company' })
  @ApiCreatedResponse({ type: CompanyDto })
  @ApiProblems(400, 401, 403, 409)
  create(@Body() body: CreateCompanyDto): Promise<CompanyDto> {
    return this.companies.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List companies, optionally searching by name' })
  @ApiOkResponse({ type: CompanyPageDto })
  @ApiProblems(400, 401)
  list(@Query() query: ListCompaniesQuery): Promise<CompanyPageDto> {
    return this.companies.list(query);
  }

  @Get('look-alikes')
  @ApiOperation({
    summary: 'Companies whose legal names are the same name in another form',
    description:
      'Groups of two or more companies whose legal names have one identity key (Unicode NFKC, case, invisible characters, ' +
      'Urdu/Arabic letter and digit forms ignored): kept apart when names were re-keyed, for staff to merge or rename. Oldest first in each group.',
  })
  @ApiOkResponse({ type: LookAlikesDto })
  @ApiProblems(401)
  lookAlikes(): Promise<LookAlikesDto> {
    return this.companies.lookAlikes();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a company' })
  @ApiOkResponse({ type: CompanyDto })
  @ApiProblems(400, 401, 404)
  get(@Param('id', new UuidPipe()) id: string): Promise<CompanyDto> {
    return this.companies.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a company (null clears an optional field)' })
  @ApiOkResponse({ type: CompanyDto })
  @ApiIfMatch()
  @ApiProblems(400, 401, 403, 404, 409)
  update(@Param('id', new UuidPipe()) id: string, @Body() body: UpdateCompanyDto, @IfMatch() version: number): Promise<CompanyDto> {
    return this.companies.update(id, body, version);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a company that holds no license' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 401, 403, 404, 409)
  async remove(@Param('id', new UuidPipe()) id: string, @Query() query: DeleteCompanyQuery): Promise<void> {
    await this.companies.remove(id, query.reason);
  }
}
