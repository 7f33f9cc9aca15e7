import { Controller, Get, Header, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators.js';
import { PUBLIC_CACHE } from '../common/conditional.js';
import { ApiProblems } from '../common/openapi.js';
import { PublicThrottlerGuard } from '../common/throttling.js';
import { type DeviceTrace, DevicesService, type PublicDeviceAnswer } from './devices.service.js';

@ApiTags('devices')
@ApiBearerAuth()
@Controller('api/v1/devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get(':imei')
  @ApiOperation({ summary: 'Trace a device by IMEI: its shipment, exporter, license and destination (and earlier voided shipments)' })
  @ApiOkResponse({ description: '{ imei, tac, shipment, company, license, history }' })
  @ApiProblems(400, 401, 404)
  trace(@Param('imei') imei: string): Promise<DeviceTrace> {
    return this.devices.trace(imei);
  }
}

@ApiTags('public register')
@Public()
@UseGuards(PublicThrottlerGuard)
@Controller('public/v1/devices')
export class PublicDevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get(':imei')
  @Header('Cache-Control', PUBLIC_CACHE)
  @ApiOperation({ summary: 'Was this device exported by a licensed manufacturer, and when? (no commercial details)' })
  @ApiOkResponse({ description: '{ imei, exported: true, shippedOn, byLicensedManufacturer }' })
  @ApiProblems(400, 404, 429)
  check(@Param('imei') imei: string): Promise<PublicDeviceAnswer> {
    return this.devices.publicAnswer(imei);
  }
}
