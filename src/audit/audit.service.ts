import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, MoreThan, Repository } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Metrics } from '../common/metrics.js';
import { type Page, pageOf } from '../common/pagination.js';
import { currentContext } from '../common/request-context.js';
import { bulkInsert } from '../database/bulk-insert.js';
import { type DataArea, DataVersions } from '../database/data-versions.js';
import { Snapshots } from '../database/snapshots.js';
import { Transactions } from '../database/transactions.js';
import { AuditEvent } from './audit-event.entity.js';
import type { AuditEventDto, AuditFailureDto, AuditVerifyDto, ListAuditQuery } from './dto/audit.dto.js';

// RFC 8785 canonical JSON from the canonicalize package (CommonJS: loaded with require).
const canonicalize = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string;

/** Which public data each kind of audited entity is part of. */
const AREAS_OF: Record<AuditEntry['entityType'], DataArea[]> = {
  company: ['register'],
  license: ['register'],
  shipment: ['exports'],
  import: ['exports'],
  staff: [],
};

/** verify() reads the chain this many events at a time, and lists at most MAX_LISTED_FAILURES failures. */
const VERIFY_BATCH = 1000;
export const MAX_LISTED_FAILURES = 1000;

/** The chain starts from 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  action: string;
  entityType: 'company' | 'license' | 'shipment' | 'staff' | 'import';
  entityId: string;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/** The fields a hash covers, in canonical JSON (RFC 8785). */
function hashOf(e: Omit<AuditEvent, 'hash'>): string {
  const body = canonicalize({
    seq: e.seq,
    occurredAt: e.occurredAt.toISOString(),
    actorId: e.actorId,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    requestId: e.requestId,
    reason: e.reason,
    before: e.before,
    after: e.after,
    prevHash: e.prevHash,
  });
  return createHash('sha256').update(e.prevHash + body).digest('hex');
}

@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly tx: Transactions,
    private readonly snapshots: Snapshots,
    private readonly clock: Clock,
    private readonly versions: DataVersions,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Appends one event inside the caller's transaction, so the write and its record commit together.
   * The chain lock makes appends one at a time, also across instances sharing a PostgreSQL database.
   */
  async record(m: EntityManager, entry: AuditEntry): Promise<AuditEvent> {
    const [event] = await this.recordMany(m, [entry]);
    return event;
  }

  /**
   * Appends many events at once (a CSV import's shipments): one lock, one read of the chain head, bulk inserts.
   * Every write is audited in its own transaction, so this is also where the version of each data area the
   * events touch moves on (DataVersions): no write can change what the public sees without changing its version.
   */
  async recordMany(m: EntityManager, entries: AuditEntry[]): Promise<AuditEvent[]> {
    if (!entries.length) return [];
    await this.tx.lock(m, 'audit-chain');
    await this.versions.bump(m, entries.flatMap((e) => AREAS_OF[e.entityType]));
    const last = await m.createQueryBuilder(AuditEvent, 'a').orderBy('a.seq', 'DESC').limit(1).getOne();
    const ctx = currentContext();
    let seq = last?.seq ?? 0;
    let prevHash = last?.hash ?? GENESIS_HASH;
    const occurredAt = this.clock.now();
    const events = entries.map((entry) => {
      const event: Omit<AuditEvent, 'hash'> = {
        seq: ++seq,
        occurredAt,
        actorId: ctx.actorId,
        action: entry.action,
        entityType: entry.entityType,
        entityId: entry.entityId,
        requestId: ctx.requestId,
        reason: entry.reason ?? null,
        before: entry.before == null ? null : JSON.stringify(entry.before),
        after: entry.after == null ? null : JSON.stringify(entry.after),
        prevHash,
      };
      const saved = Object.assign(new AuditEvent(), event, { hash: hashOf(event) });
      prevHash = saved.hash;
      return saved;
    });
    await bulkInsert(m, AuditEvent, events);
    this.metrics.auditEvents.inc(events.length);
    return events;
  }

  /** One page of audit events, newest first (or by `seq` ascending), filtered by entity, actor, action and UTC days `from`..`to` (inclusive); page and total read in one snapshot. */
  async list(query: ListAuditQuery): Promise<Page<AuditEventDto>> {
    const { limit, offset } = pageOf(query);
    const qb = this.events.createQueryBuilder('a');
    if (query.entityType) qb.andWhere('a.entity_type = :entityType', { entityType: query.entityType });
    if (query.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: query.entityId });
    if (query.actorId) qb.andWhere('a.actor_id = :actorId', { actorId: query.actorId.toLowerCase() });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    // Dates are UTC days: occurred_at is ISO-8601 UTC text, so a text comparison orders it.
    if (query.from) qb.andWhere('a.occurred_at >= :from', { from: `${query.from}T00:00:00.000Z` });
    if (query.to) qb.andWhere('a.occurred_at <= :to', { to: `${query.to}T23:59:59.999Z` });
    qb.orderBy('a.seq', query.sort === 'seq' ? 'ASC' : 'DESC').skip(offset).take(limit);
    const [rows, total] = await this.snapshots.manyAndCount(qb);
    return { items: rows.map(toAuditDto), total, limit, offset };
  }

  /**
   * Walks the whole chain in seq order and lists every event that does not verify, so that one damaged event
   * cannot hide a later one. Each event is checked against what is stored, not against what it should have been:
   * - its hash, recomputed from its own stored fields, against its stored hash;
   * - its prevHash against the stored hash of the event before it (the genesis hash for event 1).
   * A gap (one or more seqs missing) is one failure, at its first missing seq; the prevHash of the event after it
   * is not checked, as the event it links to is gone. An event failing both checks is one failure, both problems
   * named. So an edited field fails that event only; a rewritten hash field fails that event and the next one,
   * whose prevHash no longer matches it (two failures, each true of the event it names). Events removed from the
   * end of the chain leave no gap: compare `head` with a copy kept elsewhere.
   * At most MAX_LISTED_FAILURES are listed, in seq order; `failuresTotal` counts all; `failedAt` and `problem`
   * repeat the first. Reads VERIFY_BATCH events at a time, those after the last seq read (keyset paging).
   */
  async verify(): Promise<AuditVerifyDto> {
    const failures: AuditFailureDto[] = [];
    let failuresTotal = 0;
    const fail = (seq: number, problem: string) => {
      failuresTotal++;
      if (failures.length < MAX_LISTED_FAILURES) failures.push({ seq, problem });
    };
    let previous: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };
    let length = 0;
    for (;;) {
      const rows = await this.events.find({ where: { seq: MoreThan(previous.seq) }, order: { seq: 'ASC' }, take: VERIFY_BATCH });
      for (const e of rows) {
        const first = previous.seq + 1;
        const problems: string[] = [];
        if (e.seq !== first) {
          fail(first, e.seq === first + 1 ? `event ${first} is missing (the next is ${e.seq})` : `events ${first} to ${e.seq - 1} are missing (the next is ${e.seq})`);
        } else if (e.prevHash !== previous.hash) {
          problems.push(previous.seq === 0 ? 'prevHash is not the genesis hash' : `prevHash does not match the hash of event ${previous.seq}`);
        }
        if (hashOf(e) !== e.hash) problems.push('hash does not match the event: it was changed after it was written');
        if (problems.length) fail(e.seq, problems.join('; '));
        previous = e;
        length++;
      }
      if (rows.length < VERIFY_BATCH) break;
    }
    const first = failures[0];
    return { ok: failuresTotal === 0, length, head: previous.hash, ...(first ? { failedAt: first.seq, problem: first.problem } : {}), failures, failuresTotal };
  }
}

export function toAuditDto(a: AuditEvent): AuditEventDto {
  return {
    seq: a.seq,
    occurredAt: a.occurredAt.toISOString(),
    actorId: a.actorId,
    action: a.action,
    entityType: a.entityType,
    entityId: a.entityId,
    requestId: a.requestId,
    reason: a.reason,
    before: a.before === null ? null : JSON.parse(a.before),
    after: a.after === null ? null : JSON.parse(a.after),
    prevHash: a.prevHash,
    hash: a.hash,
  };
}
