import { Module } from '@nestjs/common';
import { LicensesModule } from '../licenses/licenses.module.js';
import { ObligationsModule } from '../obligations/obligations.module.js';
import { ReportsModule } from '../reports/reports.module.js';
import { ShipmentsModule } from '../shipments/shipments.module.js';
import { PagesController } from './pages.controller.js';
import { PublicResponseCache } from './public-cache.js';
import { PublicController } from './public.controller.js';
import { PublicService } from './public.service.js';

@Module({
  imports: [LicensesModule, ObligationsModule, ReportsModule, ShipmentsModule],
  controllers: [PublicController, PagesController],
  providers: [PublicService, PublicResponseCache],
})
export class PublicModule {}
