import { createHash, hash } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 (Certificate Transparency 2.0), section 2.1, over the audit events: leaf hash
 * SHA-256(0x00 || d), interior node SHA-256(0x01 || left || right), a tree of n > 1 leaves split at the largest
 * power of two smaller than n, the empty tree's hash SHA-256(""). Hashes are 32-byte Buffers.
 *
 * A node is named by its level (0: leaves) and its index on that level: node (level, i) is the complete subtree
 * of leaves [i * 2^level, (i + 1) * 2^level). Every hash of a tree of any size is a combination of such complete
 * subtrees, which is what the registry stores (tree-store.ts): the functions here take a `NodeSource` that
 * answers them, and are written so that the nodes they need do not depend on the hashes (see `nodesNeeded`).
 */

export const HASH_BYTES = 32;
const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** SHA-256 of nothing: the root of the empty tree. */
export const EMPTY_ROOT = createHash('sha256').digest();

/** Where two hashes are put together for hashing (one-shot hashing is about a third cheaper than a Hash object). */
const pair = Buffer.alloc(1 + 2 * HASH_BYTES);
const leafOf32 = Buffer.alloc(1 + HASH_BYTES);

/** RFC 9162 2.1.1: the hash of a leaf whose data is `data`. */
export function leafHash(data: Uint8Array): Buffer {
  if (data.length !== HASH_BYTES) return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
  leafOf32[0] = 0;
  leafOf32.set(data, 1);
  return hash('sha256', leafOf32, 'buffer') as unknown as Buffer;
}

/**
 * leafHash of the bytes written as hex digits in `hex` (an audit event's `hash`: 64 digits, 32 bytes), without a
 * Buffer of their own; anything else (a damaged value) is decoded as Buffer.from(hex, 'hex') would.
 */
export function leafHashOfHex(hex: string): Buffer {
  leafOf32[0] = 0;
  if (hex.length !== 2 * HASH_BYTES || leafOf32.write(hex, 1, 'hex') !== HASH_BYTES) return leafHash(Buffer.from(hex, 'hex'));
  return hash('sha256', leafOf32, 'buffer') as unknown as Buffer;
}

/** RFC 9162 2.1.1: the hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
  pair[0] = 1;
  pair.set(left, 1);
  pair.set(right, 1 + HASH_BYTES);
  return hash('sha256', pair, 'buffer') as unknown as Buffer;
}

const isHash = (h: Buffer) => h.length === HASH_BYTES;

/** The largest power of two smaller than n (n > 1). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Answers the hash of the complete subtree (level, index); see the module's comment. */
export type NodeSource = (level: number, index: number) => Buffer;

/** A node of the tree: the complete subtree of leaves [index * 2^level, (index + 1) * 2^level). */
export interface NodeId {
  level: number;
  index: number;
}

/**
 * The hash of the leaves [start, end) as RFC 9162 defines the hash of a tree of those leaves (MTH), from the
 * complete subtrees it is made of: one node when the range is one aligned complete subtree, else the split.
 */
export function rangeHash(start: number, end: number, node: NodeSource): Buffer {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if ((n & (n - 1)) === 0 && start % n === 0) return node(Math.log2(n), start / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(start, start + k, node), rangeHash(start + k, end, node));
}

/** The root hash of the tree of the first `size` leaves. */
export function rootHash(size: number, node: NodeSource): Buffer {
  return rangeHash(0, size, node);
}

/**
 * RFC 9162 2.1.3.1: the inclusion proof (audit path) of the leaf at `index` (0-based) in the tree of `size`
 * leaves, bottom-up. Requires 0 <= index < size.
 */
export function inclusionProof(index: number, size: number, node: NodeSource): Buffer[] {
  const path: Buffer[] = [];
  const walk = (start: number, end: number): void => {
    if (end - start <= 1) return;
    const k = splitPoint(end - start);
    if (index < start + k) {
      walk(start, start + k);
      path.push(rangeHash(start + k, end, node));
    } else {
      walk(start + k, end);
      path.push(rangeHash(start, start + k, node));
    }
  };
  walk(0, size);
  return path;
}

/**
 * RFC 9162 2.1.4.1: the consistency proof between the tree of the first `from` leaves and the tree of the first
 * `to` leaves. Requires 0 < from <= to; empty when from == to.
 */
export function consistencyProof(from: number, to: number, node: NodeSource): Buffer[] {
  const proof: Buffer[] = [];
  const sub = (m: number, start: number, end: number, whole: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!whole) proof.push(rangeHash(start, end, node));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, start + k, whole);
      proof.push(rangeHash(start + k, end, node));
    } else {
      sub(m - k, start + k, end, false);
      proof.push(rangeHash(start, start + k, node));
    }
  };
  if (from < to) sub(from, 0, to, true);
  return proof;
}

/**
 * The nodes `compute` reads, found by running it with a source that only notes them: what to fetch in one query
 * before running it for real. None of the functions above choose a node by a hash's value.
 */
export function nodesNeeded(compute: (node: NodeSource) => unknown): NodeId[] {
  const seen = new Map<string, NodeId>();
  compute((level, index) => {
    seen.set(`${level}/${index}`, { level, index });
    return EMPTY_ROOT;
  });
  return [...seen.values()];
}

/**
 * The complete subtrees of the tree of `size` leaves, left to right (at most one per level): the tree's right
 * edge, from which the next leaves are appended and the root is computed.
 */
export function frontier(size: number): NodeId[] {
  const nodes: NodeId[] = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const width = 2 ** level;
    if (size - start >= width) {
      nodes.push({ level, index: start / width });
      start += width;
    }
  }
  return nodes;
}

/**
 * A growing tree held as its frontier (a compact range): push leaf hashes in order, read the root of every size
 * on the way. Memory is one hash per level. `push` returns the nodes each leaf completes (the leaf itself
 * first), which is what a store of complete subtrees must add.
 */
export class CompactTree {
  /** hashes[i] covers levels[i]; levels strictly decrease left to right. */
  private readonly levels: number[] = [];
  private readonly hashes: Buffer[] = [];
  size = 0;

  /** Starts from the frontier of a tree of `size` leaves (frontier(size), with their hashes in that order). */
  static from(size: number, edge: Buffer[]): CompactTree {
    const tree = new CompactTree();
    const nodes = frontier(size);
    if (nodes.length !== edge.length) throw new Error(`a tree of ${size} leaves has ${nodes.length} frontier nodes, got ${edge.length}`);
    nodes.forEach((n, i) => {
      tree.levels.push(n.level);
      tree.hashes.push(edge[i]);
    });
    tree.size = size;
    return tree;
  }

  push(leaf: Buffer): { level: number; index: number; hash: Buffer }[] {
    const completed = [{ level: 0, index: this.size, hash: leaf }];
    this.add(leaf, (level, index, hash) => completed.push({ level, index, hash }));
    return completed;
  }

  /** Adds a leaf; `completes` is told each interior node it completes, bottom-up (no list made: the append's path). */
  add(leaf: Buffer, completes: (level: number, index: number, hash: Buffer) => void): void {
    const index = this.size;
    this.size++;
    let level = 0;
    let hash = leaf;
    while (this.levels.length && this.levels[this.levels.length - 1] === level) {
      this.levels.pop();
      hash = nodeHash(this.hashes.pop()!, hash);
      level++;
      completes(level, Math.floor(index / 2 ** level), hash);
    }
    this.levels.push(level);
    this.hashes.push(hash);
  }

  /** The root hash of the tree as it now is. */
  root(): Buffer {
    if (!this.hashes.length) return EMPTY_ROOT;
    let hash = this.hashes[this.hashes.length - 1];
    for (let i = this.hashes.length - 2; i >= 0; i--) hash = nodeHash(this.hashes[i], hash);
    return hash;
  }
}

/**
 * Checks an inclusion proof (as `inclusionProof` makes them): true when `path` leads from `leaf` at `index` to
 * `root` in a tree of `size` leaves. Folds the path back up along the same splits that made it.
 */
export function verifyInclusion(index: number, size: number, leaf: Buffer, path: Buffer[], root: Buffer): boolean {
  if (!(index >= 0 && index < size) || ![leaf, root, ...path].every(isHash)) return false;
  const sides: ('left' | 'right')[] = []; // top-down: where the sibling is, at each split on the way to the leaf
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      sides.push('right');
      end = start + k;
    } else {
      sides.push('left');
      start += k;
    }
  }
  if (sides.length !== path.length) return false;
  let hash = leaf;
  sides.reverse().forEach((side, i) => {
    hash = side === 'right' ? nodeHash(hash, path[i]) : nodeHash(path[i], hash);
  });
  return hash.equals(root);
}

/**
 * Checks a consistency proof (as `consistencyProof` makes them): true when the tree of `from` leaves with root
 * `fromRoot` is a prefix of the tree of `to` leaves with root `toRoot`. Folds the proof back up along the
 * splits that made it, computing both roots.
 */
export function verifyConsistency(from: number, to: number, fromRoot: Buffer, toRoot: Buffer, proof: Buffer[]): boolean {
  if (!(from > 0 && from <= to) || ![fromRoot, toRoot, ...proof].every(isHash)) return false;
  if (from === to) return proof.length === 0 && fromRoot.equals(toRoot);
  const steps: ('old-left' | 'new-right')[] = []; // top-down
  let m = from;
  let n = to;
  let whole = true;
  while (m !== n) {
    const k = splitPoint(n);
    if (m <= k) {
      steps.push('new-right');
      n = k;
    } else {
      steps.push('old-left');
      m -= k;
      n -= k;
      whole = false;
    }
  }
  const seed = whole ? 0 : 1;
  if (proof.length !== steps.length + seed) return false;
  let older = whole ? fromRoot : proof[0];
  let newer = older;
  steps.reverse().forEach((step, i) => {
    const p = proof[seed + i];
    if (step === 'new-right') newer = nodeHash(newer, p);
    else {
      older = nodeHash(p, older);
      newer = nodeHash(p, newer);
    }
  });
  return older.equals(fromRoot) && newer.equals(toRoot);
}
