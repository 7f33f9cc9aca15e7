import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, IfMatch } from '../common/if-match.js';
import { ApiProblems } from '../common/openapi.js';
import { UuidPipe } from '../common/validation/validation.js';
import { Roles } from './auth.decorators.js';
import { CreateStaffDto, ListStaffQuery, StaffDto, StaffPageDto, UpdateStaffDto } from './dto/staff.dto.js';
import { StaffService } from './staff.service.js';

@ApiTags('staff')
@ApiBearerAuth()
@Roles('ADMIN')
@Controller('api/v1/staff')
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Post()
  @ApiOperation({ summary: 'Create a staff account (ADMIN)' })
  @ApiCreatedResponse({ type: StaffDto })
  @ApiProblems(400, 401, 403, 409)
  create(@Body() body: CreateStaffDto): Promise<StaffDto> {
    return this.staff.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List staff accounts (ADMIN)' })
  @ApiOkResponse({ type: StaffPageDto })
  @ApiProblems(400, 401, 403)
  list(@Query() query: ListStaffQuery): Promise<StaffPageDto> {
    return this.staff.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a staff account (ADMIN)' })
  @ApiOkResponse({ type: StaffDto })
  @ApiProblems(400, 401, 403, 404)
  get(@Param('id', new UuidPipe()) id: string): Promise<StaffDto> {
    return this.staff.get(id);
  }

  @Patch(':id')
  @ApiIfMatch()
  @ApiOperation({ summary: 'Change role, name, password or deactivate (active: false) a staff account (ADMIN)' })
  @ApiOkResponse({ type: StaffDto })
  @ApiProblems(400, 401, 403, 404)
  update(@Param('id', new UuidPipe()) id: string, @Body() body: UpdateStaffDto, @IfMatch() version: number): Promise<StaffDto> {
    return this.staff.update(id, body, version);
  }
}
