import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Clock } from './common/clock.js';
import { Metrics } from './common/metrics.js';
import { SharedCounters } from './common/shared-counters.js';
import { PoolMetrics } from './database/pool-metrics.js';
import { REGISTRY_CONFIG, type RegistryConfig } from './config/config.js';
import { DataVersions } from './database/data-versions.js';
import { PreparedReads } from './database/prepared-reads.js';
import { Snapshots } from './database/snapshots.js';
import { Transactions } from './database/transactions.js';
import { WRITER, writerProvider, WriterShutdown } from './database/writer.js';

/** Configuration, the regulator's clock, the writer and its transactions, snapshots and the data versions, for every module. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: RegistryConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: REGISTRY_CONFIG, useValue: config },
        { provide: SharedCounters, useFactory: (metrics: Metrics) => SharedCounters.open(config.redisUrl, metrics), inject: [Metrics] },
        Clock, Metrics, PoolMetrics, writerProvider, WriterShutdown, Transactions, Snapshots, PreparedReads, DataVersions],
      exports: [REGISTRY_CONFIG, SharedCounters, Clock, Metrics, WRITER, Transactions, Snapshots, PreparedReads, DataVersions],
    };
  }
}
