import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PreparedReads } from './prepared-reads.js';

/**
 * What public answers are made of, each with its own version: `register` (companies, licenses and their
 * events) and `exports` (shipments and their devices).
 */
export const DATA_AREAS = ['register', 'exports'] as const;
export type DataArea = (typeof DATA_AREAS)[number];
export type DataVersionSet = Record<DataArea, string>;

const READ_SQL = 'SELECT area, version FROM data_versions';

/**
 * The version of each data area, kept in the database (table `data_versions`) so that every instance and
 * process sharing it (a CLI import beside the server) sees every change.
 *
 * A version is a random token, replaced by every write transaction that changes the area, inside that
 * transaction: it commits with the change, and a rolled-back transaction's token is never seen again, so a
 * response computed from uncommitted data can never be served later as current. Public ETags and the public
 * response cache are derived from these tokens (see public/public-cache.ts).
 */
@Injectable()
export class DataVersions {
  /** The last read, shared by the requests that come before it is cleared (see current()). */
  private shared?: Promise<DataVersionSet>;

  constructor(private readonly reads: PreparedReads) {}

  /** Replaces the tokens of `areas`, inside the caller's write transaction. */
  async bump(m: EntityManager, areas: Iterable<DataArea>): Promise<void> {
    const list = [...new Set(areas)];
    if (!list.length) return;
    const postgres = m.connection.options.type === 'postgres';
    const marks = list.map((_, i) => (postgres ? `$${i + 2}` : '?')).join(', ');
    await m.query(`UPDATE data_versions SET version = ${postgres ? '$1' : '?'} WHERE area IN (${marks})`, [newToken(), ...list]);
  }

  /**
   * The current token of every area: one small prepared query (the public fast path runs it on every request).
   * Requests share a read: on PostgreSQL those that arrive while it is on its way (a round trip per request would
   * halve what the connection pool can answer); on SQLite those that arrive in the same turn of the event loop
   * (read from the sockets together). A token so read is at most that old, and only ever names committed data,
   * like one read by each request before its answer's own reads: what the request then reads is read afresh.
   */
  current(): Promise<DataVersionSet> {
    if (this.shared) return this.shared;
    const read = this.read();
    this.shared = read;
    const clear = () => {
      if (this.shared === read) this.shared = undefined;
    };
    if (this.reads.postgres) read.then(clear, clear);
    else setImmediate(clear);
    return read;
  }

  private async read(): Promise<DataVersionSet> {
    const set = {} as DataVersionSet;
    for (const r of await this.reads.all<{ area: string; version: string }>('data-versions', READ_SQL)) set[r.area as DataArea] = r.version;
    return set;
  }
}

function newToken(): string {
  return randomBytes(9).toString('base64url');
}
