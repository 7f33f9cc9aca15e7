import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Metrics } from '../common/metrics.js';
import { WRITER } from './writer.js';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The use of the PostgreSQL connection pools in the metrics (`registry_db_pool_connections{pool, state}`: the
 * writer's and the readers' connections open, idle, and requests waiting for one). SQLite has one connection of
 * each kind and no pool: nothing is reported.
 */
@Injectable()
export class PoolMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly reader: DataSource,
    @Inject(WRITER) private readonly writer: DataSource,
  ) {}

  onModuleInit(): void {
    if (this.writer.options.type !== 'postgres') return;
    const pools = { writer: this.writer, reader: this.reader };
    this.metrics.gauge('registry_db_pool_connections', 'PostgreSQL pool connections by pool (writer, reader) and state (total, idle, waiting: requests waiting for one)', ['pool', 'state'], (set) => {
      for (const [name, ds] of Object.entries(pools)) {
        const pool = (ds.driver as unknown as { master?: PgPool }).master;
        if (!pool) continue;
        set({ pool: name, state: 'total' }, pool.totalCount);
        set({ pool: name, state: 'idle' }, pool.idleCount);
        set({ pool: name, state: 'waiting' }, pool.waitingCount);
      }
    });
  }
}
