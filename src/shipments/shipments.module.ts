import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LicensesModule } from '../licenses/licenses.module.js';
import { DevicesController, PublicDevicesController } from './devices.controller.js';
import { DevicesService } from './devices.service.js';
import { ExportQueries } from './export-queries.js';
import { Device, DeviceRelease } from './device.entity.js';
import { Shipment } from './shipment.entity.js';
import { ShipmentsController } from './shipments.controller.js';
import { ShipmentsService } from './shipments.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Shipment, Device, DeviceRelease]), LicensesModule],
  controllers: [ShipmentsController, DevicesController, PublicDevicesController],
  providers: [ShipmentsService, DevicesService, ExportQueries],
  exports: [ShipmentsService, DevicesService, ExportQueries],
})
export class ShipmentsModule {}
