import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Clock } from './common/clock.js';
import { REGISTRY_CONFIG, type RegistryConfig } from './config/config.js';
import { DataVersions } from './database/data-versions.js';
import { PreparedReads } from './database/prepared-reads.js';
import { Transactions } from './database/transactions.js';

/** Configuration, the regulator's clock, the transaction runner and the data versions, for every module. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: RegistryConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [{ provide: REGISTRY_CONFIG, useValue: config }, Clock, Transactions, PreparedReads, DataVersions],
      exports: [REGISTRY_CONFIG, Clock, Transactions, PreparedReads, DataVersions],
    };
  }
}
