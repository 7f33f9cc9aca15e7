import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LicensesModule } from '../licenses/licenses.module.js';
import { DocumentStore } from './documents.js';
import { ObligationDecisionsService } from './obligation-decisions.service.js';
import { Obligation, ObligationCatalogVersion, ObligationDecision, ObligationSubmission, ObligationTemplate } from './obligation.entity.js';
import { ObligationsController } from './obligations.controller.js';
import { ObligationsService } from './obligations.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Obligation, ObligationCatalogVersion, ObligationTemplate, ObligationSubmission, ObligationDecision]), LicensesModule],
  controllers: [ObligationsController],
  providers: [ObligationsService, ObligationDecisionsService, DocumentStore],
  exports: [ObligationsService, ObligationDecisionsService],
})
export class ObligationsModule {}
