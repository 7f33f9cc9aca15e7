import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { sharesOneConnection } from './data-source.options.js';

/**
 * Reads that must agree with each other (a page and its total, a report's cells and its totals) run in one
 * snapshot of the committed data, on the reader (see ConnectionRole in data-source.options.ts):
 * - PostgreSQL: a REPEATABLE READ, read-only transaction on a reader connection of its own;
 * - SQLite: a read transaction on the reader connection. That connection is shared, so snapshots take turns
 *   (each is a few queries); plain reads that run meanwhile see the same committed snapshot.
 * Writes are never seen before they commit, on either engine, with or without a snapshot.
 */
@Injectable()
export class Snapshots {
  private queue: Promise<unknown> = Promise.resolve();

  private readonly oneConnection: boolean;

  constructor(
    private readonly reader: DataSource,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
  ) {
    this.oneConnection = sharesOneConnection(config.database);
  }

  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    // In memory, reads and writes share the one connection: there is no separate snapshot to take.
    if (this.oneConnection) return work(this.reader.manager);
    if (this.reader.options.type === 'postgres') return this.reader.transaction('REPEATABLE READ', work);
    const next = this.queue.then(() => this.reader.transaction(work));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A page of rows and the total count of the query, from one snapshot. */
  manyAndCount<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): Promise<[T[], number]> {
    return this.read((m) => inSnapshot(query, m).getManyAndCount());
  }
}

/** `query` run on the connection of the snapshot `m` (given by Snapshots.read). */
export function inSnapshot<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, m: EntityManager): SelectQueryBuilder<T> {
  return m.queryRunner ? query.setQueryRunner(m.queryRunner) : query;
}
