import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIfMatch, IfMatch } from '../common/if-match.js';
import { Idempotent } from '../idempotency/idempotency.js';
import { ApiProblems } from '../common/openapi.js';
import { UuidPipe } from '../common/validation/validation.js';
import { CreateShipmentDto, ListShipmentsQuery, ShipmentDto, ShipmentPageDto, VoidShipmentDto } from './dto/shipment.dto.js';
import { ShipmentsService } from './shipments.service.js';

@ApiTags('shipments')
@ApiBearerAuth()
@Controller('api/v1/shipments')
export class ShipmentsController {
  constructor(private readonly shipments: ShipmentsService) {}

  @Post()
  @Idempotent()
  @ApiOperation({
    summary: 'Record an export shipment',
    description: 'The license must be held by the exporter and ACTIVE on shippedOn (422 LICENSE_NOT_ACTIVE names the license and its status that day).',
  })
  @ApiCreatedResponse({ type: ShipmentDto })
  @ApiProblems(400, 409, 422)
  create(@Body() body: CreateShipmentDto): Promise<ShipmentDto> {
    return this.shipments.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List shipments, newest first' })
  @ApiOkResponse({ type: ShipmentPageDto })
  @ApiProblems(400)
  list(@Query() query: ListShipmentsQuery): Promise<ShipmentPageDto> {
    return this.shipments.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a shipment' })
  @ApiOkResponse({ type: ShipmentDto })
  @ApiProblems(400, 404)
  get(@Param('id', new UuidPipe()) id: string): Promise<ShipmentDto> {
    return this.shipments.get(id);
  }

  @Post(':id/void')
  @ApiIfMatch()
  @HttpCode(200)
  @ApiOperation({ summary: 'Void a shipment with a reason (it stays on record, counted nowhere)' })
  @ApiOkResponse({ type: ShipmentDto })
  @ApiProblems(400, 404, 409)
  void(@Param('id', new UuidPipe()) id: string, @Body() body: VoidShipmentDto, @IfMatch() version: number): Promise<ShipmentDto> {
    return this.shipments.void(id, body, version);
  }
}
