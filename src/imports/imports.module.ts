import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LicensesModule } from '../licenses/licenses.module.js';
import { ShipmentsModule } from '../shipments/shipments.module.js';
import { ImportRun } from './import-run.entity.js';
import { ImportRunner } from './import-runner.js';
import { ImportRuns } from './import-runs.js';
import { ImportsController } from './imports.controller.js';
import { ImportsService } from './imports.service.js';
import { Uploads } from './uploads.js';

@Module({
  imports: [TypeOrmModule.forFeature([ImportRun]), ShipmentsModule, LicensesModule],
  controllers: [ImportsController],
  providers: [ImportsService, ImportRuns, ImportRunner, Uploads],
  exports: [ImportsService],
})
export class ImportsModule {}
