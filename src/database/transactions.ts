import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { ProblemException } from '../common/problem.js';
import { Metrics } from '../common/metrics.js';
import { busy } from '../common/unavailable.js';
import { limitsOf, REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { WRITER } from './writer.js';

/**
 * Runs a unit of work in one transaction, on the writer connection(s) (see ConnectionRole): what it writes is
 * seen by reads only once it commits. SQLite has one writer connection, so transactions are queued here, one at
 * a time; PostgreSQL transactions run side by side on the writer pool. Either way a transaction that cannot
 * start within WRITE_WAIT_MS throws 503 BUSY (ProblemException) and writes nothing.
 */
@Injectable()
export class Transactions {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly waitMs: number;

  constructor(
    @Inject(WRITER) private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly metrics: Metrics,
  ) {
    this.waitMs = limitsOf(config.database).writeWaitMs;
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    // PostgreSQL: the pool gives up after WRITE_WAIT_MS without a connection, lock_timeout after as long on a lock.
    const asked = performance.now();
    const begun = <T>(inner: (manager: EntityManager) => Promise<T>) => (manager: EntityManager) => {
      this.metrics.writeWait.observe((performance.now() - asked) / 1000);
      return inner(manager);
    };
    if (this.dataSource.options.type === 'postgres') return this.dataSource.transaction(begun(work));
    return this.inTurn(() => this.dataSource.transaction(begun(work)));
  }

  /**
   * Runs `work` holding this process's turn to write (SQLite): for writing through another connection, e.g. an
   * import in a worker process, so that no write of this process meets the file lock (better-sqlite3 would wait for
   * it synchronously, stopping every request). Throws 503 BUSY like run(). PostgreSQL: runs `work` at once.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.dataSource.options.type === 'postgres') return work();
    return this.inTurn(work);
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let gaveUp = false;
    const turn = this.queue.then(() => {
      clearTimeout(timer);
      if (gaveUp) throw busy();
      return work();
    });
    this.queue = turn.catch(() => undefined);
    const waited = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        gaveUp = true;
        reject(busy());
      }, this.waitMs);
    });
    return Promise.race([turn, waited]).finally(() => clearTimeout(timer));
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
    if (result.affected === 0) await this.checkVersion(manager, entity, id, expected);
    return expected + 1;
  }

  /**
   * The check of claimVersion without the claim: throws 412 VERSION_MISMATCH when `id` is stored at another
   * version than `expected`, for a request that must hold the version it read without changing the row (a
   * proposal of a change, checked now and applied later). A missing row is left for the caller's own 404.
   */
  async checkVersion(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, id: string, expected: number): Promise<void> {
    const current = await manager.createQueryBuilder(entity, 'x').select('x.version', 'version').where('x.id = :id', { id }).getRawOne<{ version: number }>();
    if (current && Number(current.version) !== expected) {
      throw new ProblemException(412, 'VERSION_MISMATCH', `It was changed since you read it: you sent version ${expected}, the current version is ${current.version}; GET it again and reapply your change`, undefined, {
        currentVersion: Number(current.version),
      });
    }
  }

  get engine(): 'sqlite' | 'postgres' {
    return this.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }
}
