import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Runs a unit of work in one transaction. SQLite has one connection in TypeORM, so two requests' transactions
 * would interleave on it: they are queued here, one at a time. PostgreSQL transactions run side by side.
 */
@Injectable()
export class Transactions {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.dataSource.options.type === 'postgres') return this.dataSource.transaction(work);
    const next = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Holds a named lock until the transaction ends. PostgreSQL: a transaction-level advisory lock, which also
   * orders instances sharing the database. SQLite: nothing to do, transactions already run one at a time.
   */
  async lock(manager: EntityManager, name: string): Promise<void> {
    if (this.engine === 'postgres') await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
  }

  get engine(): 'sqlite' | 'postgres' {
    return this.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }
}
