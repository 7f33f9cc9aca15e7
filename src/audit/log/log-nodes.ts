import { CompactTree, frontier, leafHash, type NodeId, type NodeSource } from './merkle.js';

/**
 * The stored Merkle tree (table `audit_log_nodes`): one row per complete subtree, keyed by
 * `node_id = index * 64 + level` (see merkle.ts for what a node is), holding its 32-byte hash. A tree of n leaves
 * keeps just under 2n rows; every proof or root reads O(log n) of them in one query.
 *
 * The functions here run on any `Query` (a transaction's EntityManager, a QueryRunner in a migration) with SQL
 * for either engine.
 */

export type Query = (sql: string, params: unknown[]) => Promise<{ node_id: number | string; hash: Buffer }[]>;

/** Bound on the levels (64 > 52, the highest level a safe integer index allows). */
const LEVELS = 64;

export function nodeKey(n: NodeId): number {
  return n.index * LEVELS + n.level;
}

/** Rows per INSERT: well under both engines' limits on parameters. */
const ROWS_PER_INSERT = 2000;

/**
 * Reads the nodes `ids` in one query and answers them as a NodeSource, which throws (naming the node) for one
 * that is not stored: a damaged or truncated tree.
 */
export async function readNodes(query: Query, postgres: boolean, ids: NodeId[]): Promise<NodeSource> {
  const keys = ids.map(nodeKey);
  const rows = keys.length
    ? await query(
        postgres
          ? 'SELECT node_id, hash FROM audit_log_nodes WHERE node_id = ANY($1::bigint[])'
          : 'SELECT node_id, hash FROM audit_log_nodes WHERE node_id IN (SELECT value FROM json_each(?))',
        [postgres ? keys : JSON.stringify(keys)],
      )
    : [];
  const found = new Map(rows.map((r) => [Number(r.node_id), Buffer.from(r.hash)]));
  return (level, index) => {
    const hash = found.get(nodeKey({ level, index }));
    if (!hash) throw new MissingNodeError(level, index);
    return hash;
  };
}

/** A node the tree should hold is not stored. */
export class MissingNodeError extends Error {
  constructor(readonly level: number, readonly index: number) {
    super(`the transparency log's tree has no node at level ${level}, index ${index}: it was removed or never written`);
    this.name = 'MissingNodeError';
  }
}

/**
 * Appends leaves to the stored tree of `size` leaves, inside the caller's transaction: reads the tree's frontier,
 * adds the leaves (each leaf's data `d` hashed as SHA-256(0x00 || d)) and stores every node they complete.
 * Returns the new root.
 */
export async function appendLeaves(query: Query, postgres: boolean, size: number, leafData: Buffer[]): Promise<Buffer> {
  const edge = frontier(size);
  const source = await readNodes(query, postgres, edge);
  const tree = CompactTree.from(size, edge.map((n) => source(n.level, n.index)));
  const rows = leafData.flatMap((d) => tree.push(leafHash(d)));
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const params: unknown[] = [];
    const values = chunk.map((n) => {
      params.push(nodeKey(n), n.hash);
      return postgres ? `($${params.length - 1}, $${params.length})` : '(?, ?)';
    });
    await query(`INSERT INTO audit_log_nodes (node_id, hash) VALUES ${values.join(', ')}`, params);
  }
  return tree.root();
}
