import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LicensesModule } from '../licenses/licenses.module.js';
import { ObligationsModule } from '../obligations/obligations.module.js';
import { LicenseDecisionsController } from './license-decisions.controller.js';
import { ObligationDecisionsController } from './obligation-decisions.controller.js';
import { Proposal } from './proposal.entity.js';
import { ProposalsController } from './proposals.controller.js';
import { ProposalsService } from './proposals.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Proposal]), LicensesModule, ObligationsModule],
  controllers: [LicenseDecisionsController, ObligationDecisionsController, ProposalsController],
  providers: [ProposalsService],
  exports: [ProposalsService],
})
export class ProposalsModule {}
