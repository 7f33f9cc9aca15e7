import { ProblemException } from '../../common/problem.js';
import { CompactTree, frontier, leafHash, leafHashOfHex, type NodeId, nodeHash, type NodeSource, nodesNeeded } from './merkle.js';

/**
 * The stored Merkle tree. Its leaves are the audit events themselves: leaf i is SHA-256(0x00 || the 32 bytes of
 * the `hash` of the event with seq i + 1), read from `audit_events`. Of the interior nodes (see merkle.ts for what a
 * node is) only those on every STORED_EVERY-th level are kept, in `audit_log_nodes`, keyed by
 * `node_id = index * 64 + level`, each holding its 32-byte hash; a node on another level is computed from the
 * kept level (or the leaves) below it, at most 2^(STORED_EVERY - 1) of them. So the table holds about one row per
 * 2^STORED_EVERY - 1 events, an append writes a row only once every 2^STORED_EVERY events, and a proof at a
 * million events reads about a hundred hashes, in two queries.
 *
 * The functions here run on any `Query` (a transaction's EntityManager, a QueryRunner in a migration) with SQL
 * for either engine.
 */

/** Runs one statement; `name` names its text (for prepared statements: one name, one text). */
export type Query = (sql: string, params: unknown[], name: string) => Promise<Record<string, unknown>[]>;

export const STORED_EVERY = 4;

/** Bound on the levels (64 > 52, the highest level a safe integer index allows). */
const LEVELS = 64;

export function nodeKey(n: NodeId): number {
  return n.index * LEVELS + n.level;
}

const isKept = (level: number) => level > 0 && level % STORED_EVERY === 0;

/** Rows per INSERT: well under both engines' limits on parameters. */
const ROWS_PER_INSERT = 2000;

/**
 * A node the tree should hold is not stored (or its event is missing): the log is damaged. As an HTTP answer,
 * 503 LOG_DAMAGED: a write cannot extend the log and a proof cannot be made until it is repaired.
 */
export class MissingNodeError extends ProblemException {
  constructor(readonly level: number, readonly index: number) {
    super(
      503,
      'LOG_DAMAGED',
      level === 0
        ? `the transparency log has no leaf ${index}: audit event ${index + 1} is missing (npm run cli -- audit:verify)`
        : `the transparency log's tree has no node at level ${level}, index ${index}: it was removed or never written (npm run cli -- audit:verify)`,
    );
    this.name = 'MissingNodeError';
  }
}

/** Any node, from a source of the leaves and the kept levels only (each computed node once). */
function derived(base: NodeSource): NodeSource {
  const memo = new Map<number, Buffer>();
  const node: NodeSource = (level, index) => {
    if (level === 0 || isKept(level)) return base(level, index);
    const key = nodeKey({ level, index });
    let hash = memo.get(key);
    if (!hash) {
      hash = nodeHash(node(level - 1, 2 * index), node(level - 1, 2 * index + 1));
      memo.set(key, hash);
    }
    return hash;
  };
  return node;
}

/**
 * Reads what the nodes `ids` are made of (leaves from the events, kept nodes from audit_log_nodes), one query
 * each, and answers any of them as a NodeSource, which throws MissingNodeError (naming the node) for one whose
 * parts are not stored: a damaged or truncated tree.
 */
export async function readNodes(query: Query, postgres: boolean, ids: NodeId[]): Promise<NodeSource> {
  const base = nodesNeeded((node) => {
    const all = derived(node);
    for (const id of ids) all(id.level, id.index);
  });
  const seqs = base.filter((n) => n.level === 0).map((n) => n.index + 1);
  const keys = base.filter((n) => n.level > 0).map(nodeKey);
  const inList = (column: string) => (postgres ? `${column} = ANY($1::bigint[])` : `${column} IN (SELECT value FROM json_each(?))`);
  const list = (values: number[]) => (postgres ? values : JSON.stringify(values));
  const found = new Map<number, Buffer>();
  if (seqs.length) {
    for (const r of await query(`SELECT seq, hash FROM audit_events WHERE ${inList('seq')}`, [list(seqs)], 'log-leaves')) {
      found.set(nodeKey({ level: 0, index: Number(r.seq) - 1 }), leafHashOfHex(String(r.hash)));
    }
  }
  if (keys.length) {
    for (const r of await query(`SELECT node_id, hash FROM audit_log_nodes WHERE ${inList('node_id')}`, [list(keys)], 'log-nodes')) {
      found.set(Number(r.node_id), Buffer.from(r.hash as Uint8Array));
    }
  }
  return derived((level, index) => {
    const hash = found.get(nodeKey({ level, index }));
    if (!hash) throw new MissingNodeError(level, index);
    return hash;
  });
}

/**
 * Keeps the tree's frontier between appends, so that an append reads nothing: valid while the log's head is the
 * event it was left at. The head names the whole log (each event's hash covers the one before it), so an append
 * from another process or instance, or a rolled-back transaction, is seen as a different head and the frontier
 * is read again.
 */
export class TreeAppender {
  private cached?: { size: number; head: string; tree: CompactTree };

  /**
   * Appends leaves to the stored tree of `size` leaves (whose last event's hash is `head`), inside the caller's
   * transaction, after the events themselves are written: each leaf's data `d` (32 bytes, or their 64 hex digits) is
   * hashed as SHA-256(0x00 || d),
   * and every kept node the leaves complete is stored. `newHead` is the hash of the last event appended.
   */
  async append(query: Query, postgres: boolean, size: number, head: string | null, leafData: (Buffer | string)[], newHead: string): Promise<void> {
    let tree: CompactTree;
    const cached = this.cached;
    this.cached = undefined; // until this append has succeeded: a failure leaves nothing half-kept
    if (cached && cached.size === size && cached.head === head) tree = cached.tree;
    else {
      const edge = frontier(size);
      const source = await readNodes(query, postgres, edge);
      tree = CompactTree.from(size, edge.map((n) => source(n.level, n.index)));
    }
    const rows: { level: number; index: number; hash: Buffer }[] = [];
    const keep = (level: number, index: number, hash: Buffer) => {
      if (isKept(level)) rows.push({ level, index, hash });
    };
    for (const d of leafData) tree.add(typeof d === 'string' ? leafHashOfHex(d) : leafHash(d), keep);
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + ROWS_PER_INSERT);
      const params: unknown[] = [];
      const values = chunk.map((n) => {
        params.push(nodeKey(n), n.hash);
        return postgres ? `($${params.length - 1}, $${params.length})` : '(?, ?)';
      });
      await query(`INSERT INTO audit_log_nodes (node_id, hash) VALUES ${values.join(', ')}`, params, 'log-insert');
    }
    this.cached = { size: tree.size, head: newHead, tree };
  }
}

/** Appends leaves once, with no frontier kept (a migration, a rebuild): see TreeAppender.append. */
export function appendLeaves(query: Query, postgres: boolean, size: number, leafData: (Buffer | string)[]): Promise<void> {
  return new TreeAppender().append(query, postgres, size, null, leafData, '');
}
