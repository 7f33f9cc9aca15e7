import { Module } from '@nestjs/common';
import { CompaniesModule } from '../companies/companies.module.js';
import { LicensesModule } from '../licenses/licenses.module.js';
import { ShipmentsModule } from '../shipments/shipments.module.js';
import { SeedService } from './seed.service.js';

@Module({
  imports: [CompaniesModule, LicensesModule, ShipmentsModule],
  providers: [SeedService],
  exports: [SeedService],
})
export class SeedModule {}
