import { Module } from '@nestjs/common';
import { LicensesModule } from '../licenses/licenses.module.js';
import { ObligationsModule } from '../obligations/obligations.module.js';
import { ProposalsModule } from '../proposals/proposals.module.js';
import { ShipmentsModule } from '../shipments/shipments.module.js';
import { PublicExportsController, ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';

@Module({
  imports: [LicensesModule, ProposalsModule, ShipmentsModule, ObligationsModule],
  controllers: [ReportsController, PublicExportsController],
  providers: [ReportsService],
  exports: [ReportsService],
})
export class ReportsModule {}
