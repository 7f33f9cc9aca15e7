import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CompaniesModule } from '../companies/companies.module.js';
import { License } from './license.entity.js';
import { LicenseEvent } from './license-event.entity.js';
import { LicensesController } from './licenses.controller.js';
import { LicensesService } from './licenses.service.js';
import { RegisterReader } from './register.reader.js';

@Module({
  imports: [TypeOrmModule.forFeature([License, LicenseEvent]), CompaniesModule],
  controllers: [LicensesController],
  providers: [LicensesService, RegisterReader],
  exports: [LicensesService, RegisterReader],
})
export class LicensesModule {}
