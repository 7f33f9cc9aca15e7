import { hash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Metrics } from '../common/metrics.js';
import { type Page, pageOf } from '../common/pagination.js';
import { currentContext } from '../common/request-context.js';
import { bulkInsert } from '../database/bulk-insert.js';
import { type DataArea, DataVersions } from '../database/data-versions.js';
import { Snapshots } from '../database/snapshots.js';
import { Transactions } from '../database/transactions.js';
import { AuditEvent } from './audit-event.entity.js';
import { TreeAppender } from './log/log-nodes.js';
import { CompactTree, leafHashOfHex } from './log/merkle.js';
import type { Checkpoint } from './log/signed-note.js';
import { TransparencyLog } from './log/transparency-log.js';
import type { AuditEventDto, AuditFailureDto, AuditVerifyDto, ListAuditQuery } from './dto/audit.dto.js';

/** Which public data each kind of audited entity is part of. */
const AREAS_OF: Record<AuditEntry['entityType'], DataArea[]> = {
  company: ['register'],
  license: ['register'],
  shipment: ['exports'],
  import: ['exports'],
  staff: [],
  // A proposal changes nothing public until it is approved, and then the license's own record moves the register on.
  proposal: [],
  // The public profile shows each condition's status.
  obligation: ['register'],
  obligation_catalog: ['register'],
};

/** verify() reads the chain this many events at a time, and lists at most MAX_LISTED_FAILURES failures. */
const VERIFY_BATCH = 1000;
export const MAX_LISTED_FAILURES = 1000;

/** The chain starts from 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  action: string;
  entityType: 'company' | 'license' | 'shipment' | 'staff' | 'import' | 'proposal' | 'obligation' | 'obligation_catalog';
  entityId: string;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/**
 * An event's chain hash: SHA-256 of prevHash and the fields it covers in canonical JSON (RFC 8785), 64 hex digits.
 * The fields are a flat record of strings, nulls and one integer, written here in RFC 8785's key order (sorted by
 * UTF-16 code units); for such a record RFC 8785 is exactly JSON.stringify (its strings and integers are
 * ECMAScript's, a field left undefined is left out), which is five times faster than a general canonicalizer on
 * an import's hundred thousand events. test/unit/audit-hash.spec.ts checks it against the canonicalize package.
 */
export function hashOf(e: Omit<AuditEvent, 'hash'>): string {
  const body = JSON.stringify({
    action: e.action,
    actorId: e.actorId,
    after: e.after,
    before: e.before,
    entityId: e.entityId,
    entityType: e.entityType,
    occurredAt: e.occurredAt.toISOString(),
    prevHash: e.prevHash,
    reason: e.reason,
    requestId: e.requestId,
    seq: e.seq,
  });
  return hash('sha256', e.prevHash + body, 'hex');
}

@Injectable()
export class AuditService {
  /** Checks of the register's own tables against the trail (added by the modules that own them), run by verify(). */
  private readonly registerChecks: RegisterCheck[] = [];

  /** Adds events' leaves to the transparency log's tree (log-nodes.ts), keeping its frontier between appends. */
  private readonly tree = new TreeAppender();
  /** The tree's append; a field so that bench/audit-log.mjs can time the chain alone. */
  private readonly appendToLog: TreeAppender['append'] = (...args) => this.tree.append(...args);

  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly tx: Transactions,
    private readonly snapshots: Snapshots,
    private readonly clock: Clock,
    private readonly versions: DataVersions,
    private readonly metrics: Metrics,
    private readonly log: TransparencyLog,
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
    // The transparency log: event seq = i + 1 is leaf i, its data the 32 bytes of its chain hash.
    await this.appendToLog((sql, params) => m.query(sql, params), this.tx.engine === 'postgres', last?.seq ?? 0, last?.hash ?? null, events.map((e) => e.hash), prevHash);
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
   * Adds a check that verify() runs: a module's table against the audit records that wrote it (e.g. license events,
   * licenses/license-trail-check.ts). Its failures are listed at the seq of the record concerned, kind `register`.
   */
  addRegisterCheck(check: RegisterCheck): void {
    this.registerChecks.push(check);
  }

  /**
   * Walks the whole chain in seq order and lists every event that does not verify, so that one damaged event
   * cannot hide a later one. Each event is checked against what is stored, not against what it should have been:
   * - its hash, recomputed from its own stored fields, against its stored hash;
   * - its prevHash against the stored hash of the event before it (the genesis hash for event 1).
   * A gap (one or more seqs missing) is one failure, at its first missing seq; the prevHash of the event after it
   * is not checked, as the event it links to is gone. An event failing both checks is one failure, both problems
   * named. So an edited field fails that event only; a rewritten hash field fails that event and the next one,
   * whose prevHash no longer matches it (two failures, each true of the event it names).
   *
   * A chain proves nothing about its own length or head: the transparency log does. While walking, the Merkle
   * tree of the stored hashes is rebuilt (docs/transparency-log.md) and compared with every signed checkpoint:
   * those kept in the database, those appended to the checkpoint file (unless `checkpointFile` is false: a backup
   * copy, older than the file), and `checkpoints` (notes kept elsewhere, e.g. by a witness). A checkpoint whose signature does not verify, whose tree size the log no longer reaches
   * (events removed from the end), or whose root the rebuilt tree does not have at its size (events changed and
   * rehashed, removed and renumbered) is a failure at its tree size, naming the checkpoint and the latest earlier
   * one still matched. Finally the stored tree, which proofs are made from, must have the rebuilt root.
   *
   * At most MAX_LISTED_FAILURES are listed, in seq order; `failuresTotal` counts all; `failedAt` and `problem`
   * repeat the first. Reads VERIFY_BATCH events at a time, those after the last seq read (keyset paging).
   */
  async verify(options: { checkpoints?: { source: string; note: string }[]; checkpointFile?: boolean } = {}): Promise<AuditVerifyDto> {
    const failures: AuditFailureDto[] = [];
    let failuresTotal = 0;
    const fail = (seq: number, problem: string, kind: 'chain' | 'log' | 'register' = 'chain') => {
      failuresTotal++;
      if (failures.length < 2 * MAX_LISTED_FAILURES) failures.push({ seq, kind, problem });
    };
    const logFail = (seq: number, problem: string) => fail(seq, problem, 'log');
    const checkpoints = await this.checkpointsToCheck(options.checkpoints ?? [], options.checkpointFile ?? true, logFail);
    let next = 0;
    let matched: KnownCheckpoint | null = null;
    const tree = new CompactTree();
    const compare = () => {
      while (next < checkpoints.length && checkpoints[next].size === tree.size) {
        const c = checkpoints[next++];
        if (tree.root().equals(c.root)) matched = c;
        else {
          const fork = matched && matched.size === c.size;
          const since = matched && !fork ? `; the checkpoint of size ${matched.size} (${matched.sources.join(', ')}) still matches, so the change is in events ${matched.size + 1}..${c.size}` : '';
          const forked = fork ? `; another checkpoint of that size (${matched!.sources.join(', ')}) signed the events as they are: the log was signed twice at size ${c.size}, a fork` : '';
          logFail(c.size, `the tree of events 1..${c.size} does not have the root signed in the checkpoint of size ${c.size} (${c.sources.join(', ')}): events up to ${c.size} were changed, rehashed or renumbered after it was signed${since}${forked}`);
        }
      }
    };
    compare();
    let previous: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };
    let length = 0;
    for (;;) {
      const rows = await this.storedEvents(previous.seq);
      for (const { event: e, unreadable } of rows) {
        const first = previous.seq + 1;
        const problems: string[] = [];
        if (e.seq !== first) {
          fail(first, e.seq === first + 1 ? `event ${first} is missing (the next is ${e.seq})` : `events ${first} to ${e.seq - 1} are missing (the next is ${e.seq})`);
        } else if (e.prevHash !== previous.hash) {
          problems.push(previous.seq === 0 ? 'prevHash is not the genesis hash' : `prevHash does not match the hash of event ${previous.seq}`);
        }
        if (unreadable) problems.push(unreadable);
        else if (hashOf(e) !== e.hash) problems.push('hash does not match the event: it was changed after it was written');
        if (problems.length) fail(e.seq, problems.join('; '));
        previous = e;
        length++;
        tree.add(leafHashOfHex(e.hash), () => undefined);
        compare();
      }
      if (rows.length < VERIFY_BATCH) break;
    }
    for (const c of checkpoints.slice(next)) {
      const since = matched ? ` (the checkpoint of size ${(matched as KnownCheckpoint).size} still matches: the events after it may have been replaced too)` : '';
      logFail(length + 1, `the log has ${length} events but the checkpoint of size ${c.size} (${c.sources.join(', ')}) was signed over ${c.size}: events were removed, at least ${length + 1}..${c.size}${since}`);
    }
    const root = tree.root();
    try {
      if (!(await this.log.root(length)).equals(root)) logFail(length, `the stored Merkle tree (audit_log_nodes) does not have the root of the events (${root.toString('base64')}): the proofs served would not match them`);
    } catch (e) {
      logFail(length, `the stored Merkle tree is damaged: ${(e as Error).message}`);
    }
    for (const check of this.registerChecks) for (const f of await check(this.events.manager)) fail(f.seq, f.problem, 'register');
    failures.sort((a, b) => a.seq - b.seq);
    const first = failures[0];
    return {
      ok: failuresTotal === 0,
      length,
      head: previous.hash,
      rootHash: root.toString('base64'),
      checkpointsChecked: checkpoints.length,
      ...(first ? { failedAt: first.seq, problem: first.problem } : {}),
      failures: failures.slice(0, MAX_LISTED_FAILURES),
      failuresTotal,
    };
  }

  /**
   * VERIFY_BATCH events after `after`, as stored (raw rows: a value the entity could not read is reported, not
   * thrown). `unreadable` says what is wrong with an event's stored fields: a time that is not one, or not in the
   * one text form its hash covers (the same instant written otherwise would move the event in searches by day
   * without changing its hash).
   */
  private async storedEvents(after: number): Promise<{ event: AuditEvent; unreadable?: string }[]> {
    const postgres = this.tx.engine === 'postgres';
    const rows: Record<string, unknown>[] = await this.events.manager.query(
      `SELECT seq, occurred_at, actor_id, action, entity_type, entity_id, request_id, reason, before, after, prev_hash, hash FROM audit_events WHERE seq > ${postgres ? '$1' : '?'} ORDER BY seq LIMIT ${VERIFY_BATCH}`,
      [after],
    );
    return rows.map((r) => {
      const text = String(r.occurred_at);
      const occurredAt = new Date(text);
      const event = Object.assign(new AuditEvent(), {
        seq: Number(r.seq),
        occurredAt,
        actorId: r.actor_id as string | null,
        action: String(r.action),
        entityType: String(r.entity_type),
        entityId: String(r.entity_id),
        requestId: r.request_id as string | null,
        reason: r.reason as string | null,
        before: r.before as string | null,
        after: r.after as string | null,
        prevHash: String(r.prev_hash),
        hash: String(r.hash),
      });
      if (Number.isNaN(occurredAt.getTime())) return { event, unreadable: `occurred_at "${text.slice(0, 40)}" is not a time: the event was changed after it was written` };
      if (occurredAt.toISOString() !== text) return { event, unreadable: `occurred_at "${text.slice(0, 40)}" is not stored as written (${occurredAt.toISOString()}): the event was changed after it was written` };
      return { event };
    });
  }

  /**
   * The checkpoints verify() compares the log with, by tree size, one entry per (size, root) with every source that
   * holds it. A note that is malformed, of another log, or not signed by the log's key is a failure (at its size
   * when it can be read), and is not compared.
   */
  private async checkpointsToCheck(given: { source: string; note: string }[], withFile: boolean, fail: (seq: number, problem: string) => void): Promise<KnownCheckpoint[]> {
    const notes: { source: string; note: string }[] = (await this.log.all()).map((c) => ({ source: 'database', note: c.note }));
    try {
      if (withFile) notes.push(...this.log.fileNotes().map((note) => ({ source: 'checkpoint file', note })));
    } catch (e) {
      fail(0, `the checkpoint file cannot be read: ${(e as Error).message}`);
    }
    notes.push(...given);
    const known = new Map<string, KnownCheckpoint>();
    for (const { source, note } of notes) {
      let c: Checkpoint;
      try {
        c = this.log.open(note);
      } catch (e) {
        const size = /^[^\n]*\n(\d{1,15})\n/.exec(note)?.[1];
        fail(size ? Number(size) : 0, `a checkpoint (${source}${size ? `, size ${size}` : ''}) does not verify: ${(e as Error).message}`);
        continue;
      }
      const key = `${c.size}/${c.root.toString('base64')}`;
      const entry = known.get(key) ?? known.set(key, { size: c.size, root: c.root, sources: [] }).get(key)!;
      if (!entry.sources.includes(source)) entry.sources.push(source);
    }
    return [...known.values()].sort((a, b) => a.size - b.size);
  }
}

/** A module's table checked against the trail: the disagreements, each at the seq of the audit record concerned. */
export type RegisterCheck = (m: EntityManager) => Promise<{ seq: number; problem: string }[]>;

interface KnownCheckpoint {
  size: number;
  root: Buffer;
  sources: string[];
}

export function toAuditDto(a: AuditEvent): AuditEventDto {
  return {
    seq: a.seq,
    occurredAt: Number.isNaN(a.occurredAt.getTime()) ? null : a.occurredAt.toISOString(),
    actorId: a.actorId,
    action: a.action,
    entityType: a.entityType,
    entityId: a.entityId,
    requestId: a.requestId,
    reason: a.reason,
    before: readJson(a.before),
    after: readJson(a.after),
    prevHash: a.prevHash,
    hash: a.hash,
    logIndex: a.seq - 1,
  };
}

/** The JSON text of a record as written; text that is not JSON (an event changed in the database) is given as it is. */
function readJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
