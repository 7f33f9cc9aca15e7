import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
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
const LATEST_SQL = 'SELECT tree_size, root_hash, issued_at, note FROM audit_log_checkpoints ORDER BY tree_size DESC LIMIT 10';

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
  /** Why the log does not sign now (a changed past, a damaged tree...), or null while it signs. */
  refused: string | null = null;
  /** Whether a checkpoint note opens with the log's key, by its text (a few recent ones). */
  private readonly opened = new Map<string, boolean>();

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
      // What this log signed before, as signed (not the database's unsigned columns): the latest checkpoint in the
      // database that opens with the key, and the last one in the checkpoint file. The new tree must extend both.
      const priors = await this.signedBefore();
      for (const p of priors) {
        if (p.size > size) return this.refuse(`the log has ${size} events, fewer than the ${p.size} of the checkpoint of that size in the ${p.source}: events were removed`);
      }
      const nodes = await this.nodesFor((node) => {
        rootHash(size, node);
        for (const p of priors) rootHash(p.size, node);
      });
      for (const p of priors) {
        if (!rootHash(p.size, nodes).equals(p.root)) {
          return this.refuse(`the stored tree of the first ${p.size} events no longer has the root signed in the checkpoint of that size in the ${p.source}: the log's past was changed, or its tree`);
        }
      }
      this.refused = null;
      if (priors.some((p) => p.size === size && p.source === 'database')) {
        this.issuedSize = size;
        return await this.latest();
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
      if (inserted && !priors.some((p) => p.size === size && p.source === 'checkpoint file')) {
        mkdirSync(this.checkpointDir, { recursive: true });
        appendFileSync(join(this.checkpointDir, CHECKPOINT_FILE), note);
      }
      this.issuedSize = size;
      return (await this.latest()) ?? { ...checkpoint, note, issuedAt };
    } catch (e) {
      const problem = e instanceof MissingNodeError || e instanceof NoteError ? e.message : `could not issue a checkpoint: ${(e as Error).message}`;
      return this.refuse(problem);
    }
  }

  /**
   * The latest checkpoints this log signed, as signed: the newest in the database that opens with the log's key,
   * and the last in this instance's checkpoint file. Throws NoteError when the database holds checkpoints and
   * none of its newest opens (another key, or forged), or when the file's last note does not open.
   */
  private async signedBefore(): Promise<(Checkpoint & { source: 'database' | 'checkpoint file' })[]> {
    const priors: (Checkpoint & { source: 'database' | 'checkpoint file' })[] = [];
    const rows = await this.reads.all<{ note: string }>('log-newest-checkpoints', 'SELECT note FROM audit_log_checkpoints ORDER BY tree_size DESC LIMIT 10');
    const opened = rows.map((r) => this.openOrNull(r.note)).find((c) => c !== null);
    if (rows.length && !opened) throw new NoteError('none of the newest checkpoints in the database opens with the log\'s key: another key, or forged');
    if (opened) priors.push({ ...opened, source: 'database' });
    const last = lastNoteOf(join(this.checkpointDir, CHECKPOINT_FILE));
    if (last !== null) {
      try {
        priors.push({ ...this.open(last), source: 'checkpoint file' });
      } catch (e) {
        throw new NoteError(`the last checkpoint in the checkpoint file does not open: ${(e as Error).message}`);
      }
    }
    return priors;
  }

  private openOrNull(note: string): Checkpoint | null {
    try {
      return this.open(note);
    } catch {
      return null;
    }
  }

  /** Says, once per problem, that the log does not sign (it is kept in `refused`, shown by /health and /log). */
  private refuse(problem: string): StoredCheckpoint | null {
    if (this.refused !== problem) this.logger.error(`Transparency log: not signing: ${problem} (npm run cli -- audit:verify)`);
    this.refused = problem;
    this.issuedSize = -1;
    return null;
  }

  /**
   * The latest checkpoint kept in the database that opens with the log's key (a row that does not is passed over:
   * never served), or null. Notes already opened are remembered, so a request costs no signature check.
   */
  async latest(): Promise<StoredCheckpoint | null> {
    const rows = await this.reads.all<{ tree_size: number | string; root_hash: string; issued_at: string; note: string }>('log-latest-checkpoints', LATEST_SQL);
    for (const row of rows) {
      let ok = this.opened.get(row.note);
      if (ok === undefined) {
        ok = this.openOrNull(row.note) !== null;
        if (this.opened.size > 100) this.opened.clear();
        this.opened.set(row.note, ok);
      }
      if (ok) return this.stored(row);
    }
    return null;
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

/**
 * The last note of a checkpoint file (read from its end: the file grows by a note a second at most), or null when
 * there is no file or it is empty. Notes are written whole by this process; a torn end is returned as it is and
 * fails to open.
 */
function lastNoteOf(file: string): string | null {
  if (!existsSync(file)) return null;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return null;
    const length = Math.min(size, 8192);
    const tail = Buffer.alloc(length);
    readSync(fd, tail, 0, length, size - length);
    const text = tail.toString('utf8');
    const blank = text.lastIndexOf('\n\n');
    if (blank < 0) return text;
    // The note's text is the lines before its empty line back to the previous note's last signature line.
    const before = text.slice(0, blank + 1).split('\n');
    let start = before.length - 2;
    while (start > 0 && !before[start - 1].startsWith('— ') && before[start - 1] !== '') start--;
    return `${before.slice(start).join('\n')}${text.slice(blank + 1)}`;
  } finally {
    closeSync(fd);
  }
}
