import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEvent } from './audit-event.entity.js';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';
import { LogController } from './log/log.controller.js';
import { TransparencyLog } from './log/transparency-log.js';

/** Global: every module that writes records its audit events through AuditService. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  controllers: [AuditController, LogController],
  providers: [AuditService, TransparencyLog],
  exports: [AuditService, TransparencyLog],
})
export class AuditModule {}
