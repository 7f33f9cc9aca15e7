import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, LessThan } from 'typeorm';
import { Transactions } from '../database/transactions.js';
import { IdempotencyKey } from './idempotency-key.entity.js';

/** Keys are kept this long (at least 24 hours). */
export const IDEMPOTENCY_TTL_MS = 48 * 3600 * 1000;

/** What is kept of a request made with an Idempotency-Key. */
export type IdempotencyRecord = Omit<IdempotencyKey, never>;

/**
 * The one store of Idempotency-Keys (table idempotency_keys), per staff account: used by the interceptor of
 * creating POSTs (idempotency.ts) and by CSV imports, which key an upload by its files' SHA-256 themselves.
 */
@Injectable()
export class IdempotencyStore {
  constructor(
    private readonly reader: DataSource,
    private readonly tx: Transactions,
  ) {}

  /** The key as stored, or null; in `m` (a caller's transaction) or else as last committed. */
  find(actorId: string, key: string, m?: EntityManager): Promise<IdempotencyKey | null> {
    return (m ?? this.reader.manager).findOne(IdempotencyKey, { where: { actorId, key } });
  }

  /**
   * Stores a key in `m` (a caller's transaction) or in a transaction of its own, first removing keys older than
   * IDEMPOTENCY_TTL_MS. Throws the database's unique violation when the key exists (a concurrent first use).
   */
  async insert(record: IdempotencyRecord, m?: EntityManager): Promise<void> {
    const write = async (w: EntityManager) => {
      await w.delete(IdempotencyKey, { createdAt: LessThan(new Date(record.createdAt.getTime() - IDEMPOTENCY_TTL_MS)) as never });
      await w.insert(IdempotencyKey, record);
    };
    await (m ? write(m) : this.tx.run(write));
  }

  /** Records the response of the first request made with the key. */
  async complete(actorId: string, key: string, responseStatus: number, responseBody: string | null): Promise<void> {
    await this.tx.run((m) => m.update(IdempotencyKey, { actorId, key }, { responseStatus, responseBody }));
  }

  /** Forgets a key (its first request failed: the client may fix the input and retry with the same key). */
  async release(actorId: string, key: string): Promise<void> {
    await this.tx.run((m) => m.delete(IdempotencyKey, { actorId, key }));
  }
}
