import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { ProblemException } from '../common/problem.js';

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

  /**
   * Lost-update protection: moves `id` from version `expected` to `expected + 1`, or throws 412 when the
   * stored version differs (someone changed it since the client read it). Run first in the transaction: the
   * conditional UPDATE also locks the row, so of two concurrent writers with the same If-Match exactly one wins.
   * Returns the new version. A missing row is left for the caller's own 404.
   */
  async claimVersion(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, id: string, expected: number): Promise<number> {
    const result = await manager
      .createQueryBuilder()
      .update(entity)
      .set({ version: () => 'version + 1' })
      .where('id = :id AND version = :expected', { id, expected })
      .execute();
    if (result.affected === 0) {
      const current = await manager.createQueryBuilder(entity, 'x').select('x.version', 'version').where('x.id = :id', { id }).getRawOne<{ version: number }>();
      if (current) {
        throw new ProblemException(412, 'VERSION_MISMATCH', `It was changed since you read it: you sent version ${expected}, the current version is ${current.version}; GET it again and reapply your change`, undefined, {
          currentVersion: Number(current.version),
        });
      }
    }
    return expected + 1;
  }

  get engine(): 'sqlite' | 'postgres' {
    return this.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }
}
