import { type DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SharedCounters } from './common/shared-counters.js';
import { PUBLIC_WINDOW_MS, THROTTLE, WindowThrottlerStorage } from './common/throttling.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CompaniesModule } from './companies/companies.module.js';
import type { RegistryConfig } from './config/config.js';
import { CoreModule } from './core.module.js';
import { buildDataSourceOptions } from './database/data-source.options.js';
import { HealthModule } from './health/health.module.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { LicensesModule } from './licenses/licenses.module.js';
import { ImportsModule } from './imports/imports.module.js';
import { ObligationsModule } from './obligations/obligations.module.js';
import { ProposalsModule } from './proposals/proposals.module.js';
import { PublicModule } from './public/public.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { SeedModule } from './seed/seed.module.js';
import { ShipmentsModule } from './shipments/shipments.module.js';

@Module({})
export class AppModule {
  /**
   * The whole registry for a validated configuration. TypeORM's default data source is the reader; the writer
   * (CoreModule) runs the migrations when it opens.
   */
  static forRoot(config: RegistryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        TypeOrmModule.forRoot({ ...buildDataSourceOptions(config.database, 'reader'), retryAttempts: 0 }),
        ThrottlerModule.forRootAsync({
          inject: [SharedCounters],
          useFactory: (counters: SharedCounters) => ({
            storage: new WindowThrottlerStorage(counters),
            // The public register: PUBLIC_RATE_LIMIT requests a minute per client address.
            throttlers: [{ name: THROTTLE.PUBLIC, ttl: PUBLIC_WINDOW_MS, limit: config.publicRateLimit }],
          }),
        }),
        IdempotencyModule,
        AuditModule,
        AuthModule,
        CompaniesModule,
        LicensesModule,
        ProposalsModule,
        ObligationsModule,
        ShipmentsModule,
        ImportsModule,
        ReportsModule,
        PublicModule,
        SeedModule,
        HealthModule,
      ],
    };
  }
}
