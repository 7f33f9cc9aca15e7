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
  /** PostgreSQL: the read in flight, shared by the requests that arrive while it runs (one round trip for many). */
  private inFlight?: Promise<DataVersionSet>;

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
   * On PostgreSQL, requests that arrive while a read is on its way share it: a round trip per request would halve
   * what the connection pool can answer. A token so read is at most one round trip old, and only ever names
   * committed data; what the request then reads is read afresh.
   */
  current(): Promise<DataVersionSet> {
    if (this.inFlight) return this.inFlight;
    const read = this.read();
    if (this.reads.postgres) {
      this.inFlight = read;
      const clear = () => {
        if (this.inFlight === read) this.inFlight = undefined;
      };
      read.then(clear, clear);
    }
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
