import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LicensesModule } from '../licenses/licenses.module.js';
import { Shipment } from '../shipments/shipment.entity.js';
import { PublicExportsController, ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Shipment]), LicensesModule],
  controllers: [ReportsController, PublicExportsController],
  providers: [ReportsService],
  exports: [ReportsService],
})
export class ReportsModule {}
