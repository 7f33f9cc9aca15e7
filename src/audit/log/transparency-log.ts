import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { ProblemException } from '../../common/problem.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../../config/config.js';
import { PreparedReads } from '../../database/prepared-reads.js';
import { Transactions } from '../../database/transactions.js';
import { MissingNodeError, readNodes } from './log-nodes.js';
import { consistencyProof, EMPTY_ROOT, inclusionProof, type NodeSource, nodesNeeded, rootHash } from './merkle.js';
import { type Checkpoint, checkpointText, NoteError, openNote, parseCheckpoint, parseVerifierKey, signNote, splitNotes, type Verifier, verifierKey } from './signed-note.js';
import { loadSigningKey } from './signing-key.js';

/** A checkpoint as stored: its signed note, and what it says. */
export interface StoredCheckpoint extends Checkpoint {
  note: string;
  issuedAt: string;
}

/** The file in LOG_CHECKPOINT_DIR to which every checkpoint issued by this instance is appended. */
export const CHECKPOINT_FILE = 'checkpoints';

/** How often the log looks for new events to sign a checkpoint of (at most one checkpoint per interval). */
const ISSUE_INTERVAL_MS = 1000;

const SIZE_SQL = 'SELECT COALESCE(MAX(seq), 0) AS size FROM audit_events';
const LATEST_SQL = 'SELECT tree_size, root_hash, issued_at, note FROM audit_log_checkpoints ORDER BY tree_size DESC LIMIT 1';

/**
 * The transparency log over the audit events (docs/transparency-log.md): signed checkpoints of the Merkle tree
 * (RFC 9162) that AuditService keeps, and the proofs that anyone can check against them.
 *
 * Checkpoints: one at start and then at most one a second while events are added (startIssuing), each kept in
 * the database (`audit_log_checkpoints`) and appended to LOG_CHECKPOINT_DIR/checkpoints. A checkpoint is signed
 * only when the stored tree still has the root of the latest checkpoint at its size: a log whose past was
 * changed in the database is never signed again, it is reported (error log, GET /api/v1/audit/verify).
 */
@Injectable()
export class TransparencyLog implements OnApplicationShutdown {
  private readonly logger = new Logger('TransparencyLog');
  private readonly key: KeyObject;
  readonly origin: string;
  readonly verifier: Verifier;
  private readonly checkpointDir: string;
  private timer?: NodeJS.Timeout;
  private issuing?: Promise<StoredCheckpoint | null>;
  private issuedSize = -1;
  /** Set once the log refused to sign (a changed past); the problem, repeated by every later attempt. */
  refused: string | null = null;

  constructor(
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly reads: PreparedReads,
    private readonly tx: Transactions,
    private readonly clock: Clock,
  ) {
    this.origin = config.log.origin;
    this.checkpointDir = config.log.checkpointDir;
    this.key = loadSigningKey(config.log, (m) => this.logger.warn(m));
    this.verifier = parseVerifierKey(this.verifierKey);
  }

  /** The key in the signed-note verifier form `<name>+<key id>+<base64(0x01 || public key)>`. */
  get verifierKey(): string {
    return verifierKey(this.origin, this.key);
  }

  /** The public key as SPKI PEM. */
  get publicKeyPem(): string {
    return this.verifier.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  }

  /** Issues a checkpoint now, then every second while events are added, until the application stops. */
  startIssuing(): void {
    if (this.timer) return;
    void this.issue();
    this.timer = setInterval(() => void this.issue(), ISSUE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The number of events in the log (committed). */
  async size(): Promise<number> {
    const [row] = await this.reads.all<{ size: number | string }>('log-size', SIZE_SQL);
    return Number(row.size);
  }

  /**
   * Signs and keeps a checkpoint of the log as it now is, unless the latest one already covers it. Returns the
   * latest checkpoint, or null when there is none and none could be signed (see `refused`). Never throws: it runs
   * from a timer; a failure is logged.
   */
  issue(): Promise<StoredCheckpoint | null> {
    this.issuing ??= this.issueNow().finally(() => (this.issuing = undefined));
    return this.issuing;
  }

  private async issueNow(): Promise<StoredCheckpoint | null> {
    try {
      const size = await this.size();
      if (size === this.issuedSize) return await this.latest();
      const latest = await this.latest();
      if (latest && latest.size >= size) {
        if (latest.size > size) return this.refuse(`the log has ${size} events, fewer than the ${latest.size} of its latest checkpoint: events were removed`, latest);
        this.issuedSize = size;
        return latest;
      }
      const nodes = await this.nodesFor((node) => {
        rootHash(size, node);
        if (latest) rootHash(latest.size, node);
      });
      if (latest && !rootHash(latest.size, nodes).equals(latest.root)) {
        return this.refuse(`the stored tree of the first ${latest.size} events no longer has the root of the checkpoint of that size: the log's past was changed`, latest);
      }
      const checkpoint = { origin: this.origin, size, root: rootHash(size, nodes) };
      const issuedAt = this.clock.now().toISOString();
      const note = signNote(checkpointText(checkpoint), this.origin, this.key);
      const inserted = await this.tx.run(async (m) => {
        const postgres = this.tx.engine === 'postgres';
        const marks = postgres ? '$1, $2, $3, $4' : '?, ?, ?, ?';
        const before = await m.query('SELECT 1 FROM audit_log_checkpoints WHERE tree_size = ' + (postgres ? '$1' : '?'), [size]);
        if (before.length) return false;
        await m.query(`INSERT INTO audit_log_checkpoints (tree_size, root_hash, issued_at, note) VALUES (${marks})`, [size, checkpoint.root.toString('base64'), issuedAt, note]);
        return true;
      });
      if (inserted) {
        mkdirSync(this.checkpointDir, { recursive: true });
        appendFileSync(join(this.checkpointDir, CHECKPOINT_FILE), note);
      }
      this.issuedSize = size;
      this.refused = null;
      return (await this.latest()) ?? { ...checkpoint, note, issuedAt };
    } catch (e) {
      const problem = e instanceof MissingNodeError ? e.message : `could not issue a checkpoint: ${(e as Error).message}`;
      this.logger.error(problem);
      return null;
    }
  }

  private refuse(problem: string, latest: StoredCheckpoint): StoredCheckpoint {
    if (this.refused !== problem) this.logger.error(`Transparency log: not signing: ${problem} (npm run cli -- audit:verify)`);
    this.refused = problem;
    return latest;
  }

  /** The latest checkpoint kept in the database, or null. */
  async latest(): Promise<StoredCheckpoint | null> {
    const [row] = await this.reads.all<{ tree_size: number | string; root_hash: string; issued_at: string; note: string }>('log-latest-checkpoint', LATEST_SQL);
    return row ? this.stored(row) : null;
  }

  /** Every checkpoint kept in the database, by tree size. */
  async all(): Promise<StoredCheckpoint[]> {
    const rows = await this.reads.all<{ tree_size: number | string; root_hash: string; issued_at: string; note: string }>(
      'log-checkpoints',
      'SELECT tree_size, root_hash, issued_at, note FROM audit_log_checkpoints ORDER BY tree_size',
    );
    return rows.map((r) => this.stored(r));
  }

  /** The checkpoints appended to this instance's checkpoint file (none when there is no file); throws NoteError when it is malformed. */
  fileNotes(): string[] {
    const file = join(this.checkpointDir, CHECKPOINT_FILE);
    return existsSync(file) ? splitNotes(readFileSync(file, 'utf8')) : [];
  }

  /** Opens a checkpoint note with the log's key and reads it; throws NoteError (signature, form, or another log's origin). */
  open(note: string): Checkpoint {
    const checkpoint = parseCheckpoint(openNote(note, this.verifier));
    if (checkpoint.origin !== this.origin) throw new NoteError(`the checkpoint is of the log "${checkpoint.origin}", not "${this.origin}"`);
    return checkpoint;
  }

  private stored(r: { tree_size: number | string; root_hash: string; issued_at: string; note: string }): StoredCheckpoint {
    return { origin: this.origin, size: Number(r.tree_size), root: Buffer.from(r.root_hash, 'base64'), note: r.note, issuedAt: r.issued_at };
  }

  /** RFC 9162 inclusion proof of the leaf `index` in the tree of `treeSize` events. Throws 400 for an index or size outside the log. */
  async inclusion(index: number, treeSize: number): Promise<{ index: number; treeSize: number; leafHash: string; rootHash: string; hashes: string[] }> {
    await this.within([['treeSize', treeSize]], 1);
    if (index >= treeSize) throw outside('index', `index must be less than treeSize (${treeSize}); got ${index}`);
    const compute = (node: NodeSource) => ({ leaf: node(0, index), root: rootHash(treeSize, node), path: inclusionProof(index, treeSize, node) });
    const { leaf, root, path } = compute(await this.nodesFor(compute));
    return { index, treeSize, leafHash: leaf.toString('base64'), rootHash: root.toString('base64'), hashes: path.map((h) => h.toString('base64')) };
  }

  /** RFC 9162 consistency proof from the tree of `from` events to the tree of `to`. Throws 400 for sizes outside the log or from > to. */
  async consistency(from: number, to: number): Promise<{ from: number; to: number; fromRoot: string; toRoot: string; hashes: string[] }> {
    await this.within([['to', to]], 1);
    if (from > to) throw outside('from', `from must not be greater than to (${to}); got ${from}`);
    const compute = (node: NodeSource) => ({ older: rootHash(from, node), newer: rootHash(to, node), proof: consistencyProof(from, to, node) });
    const { older, newer, proof } = compute(await this.nodesFor(compute));
    return { from, to, fromRoot: older.toString('base64'), toRoot: newer.toString('base64'), hashes: proof.map((h) => h.toString('base64')) };
  }

  /** The root hash of the stored tree of `size` events (the empty tree's for 0). */
  async root(size: number): Promise<Buffer> {
    if (size === 0) return EMPTY_ROOT;
    const compute = (node: NodeSource) => rootHash(size, node);
    return compute(await this.nodesFor(compute));
  }

  /** Reads, in one query, the nodes `compute` needs. */
  private nodesFor(compute: (node: NodeSource) => unknown): Promise<NodeSource> {
    return readNodes((sql, params, name) => this.reads.all(name, sql, params), this.reads.postgres, nodesNeeded(compute));
  }

  private async within(sizes: [string, number][], min: number): Promise<void> {
    const size = await this.size();
    for (const [field, value] of sizes) {
      if (value < min) throw outside(field, `${field} must be at least ${min}; got ${value}`);
      if (value > size) throw outside(field, `${field} must be at most the log's size, ${size} events; got ${value}`);
    }
  }
}

function outside(field: string, message: string): ProblemException {
  return new ProblemException(400, 'OUTSIDE_LOG', message, [{ field, message }]);
}
