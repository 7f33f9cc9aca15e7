import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CompactTree,
  consistencyProof,
  EMPTY_ROOT,
  frontier,
  inclusionProof,
  leafHash,
  type NodeSource,
  nodesNeeded,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from '../../src/audit/log/merkle.js';
import {
  checkpointText,
  NoteError,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  privateKeyFromSeed,
  signNote,
  verifierKey,
} from '../../src/audit/log/signed-note.js';

import { mth, rfcVerifyConsistency, rfcVerifyInclusion, sha256 } from '../support/rfc9162.js';

/** Every complete subtree of `leaves`, as a NodeSource (from the reference MTH); throws for a node that is not complete. */
function storeOf(leaves: Buffer[]): NodeSource {
  return (level, index) => {
    const width = 2 ** level;
    if ((index + 1) * width > leaves.length) throw new Error(`node ${level}/${index} is not complete in a tree of ${leaves.length}`);
    return mth(leaves.slice(index * width, (index + 1) * width));
  };
}

/** Node hashes kept as CompactTree.push reports them: the store a database would hold. */
function pushedStore(leaves: Buffer[]): NodeSource {
  const tree = new CompactTree();
  const nodes = new Map<string, Buffer>();
  for (const d of leaves) for (const n of tree.push(leafHash(d))) nodes.set(`${n.level}/${n.index}`, n.hash);
  return (level, index) => {
    const hash = nodes.get(`${level}/${index}`);
    if (!hash) throw new Error(`node ${level}/${index} was never stored`);
    return hash;
  };
}

const b64 = (s: string) => Buffer.from(s, 'base64');

describe('Merkle tree (RFC 9162 2.1)', () => {
  it('has the roots and node hashes of the transparency-dev/merkle vectors (RFC 6962 hashing)', () => {
    const inputs = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
    const roots = [
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    expect(EMPTY_ROOT.toString('hex')).toBe(roots[0]);
    const tree = new CompactTree();
    const store = pushedStore(inputs);
    roots.forEach((root, size) => {
      if (size > 0) tree.push(leafHash(inputs[size - 1]));
      expect(tree.root().toString('hex'), `root of ${size}`).toBe(root);
      expect(rootHash(size, store).toString('hex'), `root of ${size} from stored nodes`).toBe(root);
      expect(mth(inputs.slice(0, size)).toString('hex'), 'the reference itself').toBe(root);
    });
    expect(store(1, 3).toString('hex')).toBe('ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0');
    expect(store(2, 1).toString('hex')).toBe('6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4');
  });

  it('verifies and rejects the transparency-dev/merkle inclusion and consistency probes as they expect', () => {
    const probes = JSON.parse(readFileSync(new URL('../fixtures/merkle-probes.json', import.meta.url), 'utf8'));
    for (const p of probes.inclusion) {
      const ok = verifyInclusion(p.leafIdx, p.treeSize, b64(p.leafHash), (p.proof ?? []).map(b64), b64(p.root));
      expect(ok, `${p.file}: ${p.desc}`).toBe(!p.wantErr);
    }
    for (const p of probes.consistency) {
      const hashes = [p.root1, p.root2, ...(p.proof ?? [])].map(b64);
      const ok = verifyConsistency(p.size1, p.size2, b64(p.root1), b64(p.root2), (p.proof ?? []).map(b64));
      // Stricter than the Go verifier on one point: a hash that is not 32 bytes never verifies (a probe of two equal
      // "roots" of 12 bytes is accepted there).
      expect(ok, `${p.file}: ${p.desc}`).toBe(!p.wantErr && hashes.every((h) => h.length === 32));
    }
    expect(probes.inclusion.length + probes.consistency.length).toBe(196);
  });

  it('makes proofs the RFC 9162 verifier accepts for every tree size 1..64, and that fail when changed', () => {
    const leaves = Array.from({ length: 64 }, () => randomBytes(32));
    const store = pushedStore(leaves);
    const reference = storeOf(leaves);
    for (let size = 1; size <= 64; size++) {
      const root = mth(leaves.slice(0, size));
      expect(rootHash(size, store)).toEqual(root);
      for (let i = 0; i < size; i++) {
        const path = inclusionProof(i, size, store);
        expect(path).toEqual(inclusionProof(i, size, reference));
        const leaf = leafHash(leaves[i]);
        expect(rfcVerifyInclusion(i, size, leaf, path, root), `inclusion ${i} in ${size}`).toBe(true);
        expect(verifyInclusion(i, size, leaf, path, root)).toBe(true);
        if (path.length) {
          const bad = path.map((h, j) => (j === path.length - 1 ? sha256(h) : h));
          expect(rfcVerifyInclusion(i, size, leaf, bad, root)).toBe(false);
          expect(verifyInclusion(i, size, leaf, bad, root)).toBe(false);
        }
        expect(verifyInclusion(i, size, leafHash(randomBytes(32)), path, root)).toBe(false);
      }
      for (let from = 1; from < size; from++) {
        const proof = consistencyProof(from, size, store);
        const older = mth(leaves.slice(0, from));
        expect(rfcVerifyConsistency(from, size, older, root, proof), `consistency ${from} -> ${size}`).toBe(true);
        expect(verifyConsistency(from, size, older, root, proof)).toBe(true);
        expect(rfcVerifyConsistency(from, size, sha256(older), root, proof)).toBe(false);
        expect(verifyConsistency(from, size, sha256(older), root, proof)).toBe(false);
        expect(verifyConsistency(from, size, older, root, proof.slice(1))).toBe(false);
      }
      expect(consistencyProof(size, size, store)).toEqual([]);
    }
  });

  it('agrees with the RFC 9162 verifier on random proofs in a tree of 3,000 leaves', () => {
    const leaves = Array.from({ length: 3000 }, () => randomBytes(32));
    const store = pushedStore(leaves);
    const roots = new Map<number, Buffer>();
    const root = (n: number) => roots.get(n) ?? roots.set(n, mth(leaves.slice(0, n))).get(n)!;
    for (let t = 0; t < 150; t++) {
      const size = 1 + Math.floor(Math.random() * 3000);
      const from = 1 + Math.floor(Math.random() * size);
      const index = Math.floor(Math.random() * size);
      const path = inclusionProof(index, size, store);
      expect(rfcVerifyInclusion(index, size, leafHash(leaves[index]), path, root(size))).toBe(true);
      if (from < size) expect(rfcVerifyConsistency(from, size, root(from), root(size), consistencyProof(from, size, store))).toBe(true);
    }
  });

  it('reads only the nodes a proof needs: O(log n) of them', () => {
    const size = 1_000_003;
    expect(nodesNeeded((node) => inclusionProof(500_000, size, node)).length).toBeLessThanOrEqual(2 * 21);
    expect(nodesNeeded((node) => consistencyProof(700_001, size, node)).length).toBeLessThanOrEqual(2 * 21);
    expect(nodesNeeded((node) => rootHash(size, node))).toEqual(frontier(size));
  });

  it('restarts a compact tree from its frontier', () => {
    const leaves = Array.from({ length: 37 }, () => randomBytes(32));
    const store = pushedStore(leaves);
    const tree = CompactTree.from(21, frontier(21).map((n) => store(n.level, n.index)));
    for (const d of leaves.slice(21)) tree.push(leafHash(d));
    expect(tree.root()).toEqual(mth(leaves));
  });
});

describe('signed notes and checkpoints (C2SP signed-note, tlog-checkpoint)', () => {
  // The vector of Go's golang.org/x/mod/sumdb/note tests (note_test.go TestSign): an Ed25519 key given as its seed.
  const seed = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
  const vkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
  const text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
  const signed = `${text}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

  it('signs exactly as Go\'s note package and writes the same verifier key', () => {
    const key = privateKeyFromSeed(seed);
    expect(verifierKey('PeterNeumann', key)).toBe(vkey);
    expect(signNote(text, 'PeterNeumann', key)).toBe(signed);
  });

  it('opens Go\'s signed note with Node\'s Ed25519 and refuses changed notes and keys', () => {
    const verifier = parseVerifierKey(vkey);
    expect(openNote(signed, verifier)).toBe(text);
    expect(() => openNote(signed.replace('problem,', 'problem;'), verifier)).toThrow(/does not verify/);
    expect(() => openNote(signed.replace('x08go', 'x08gp'), verifier)).toThrow(NoteError);
    expect(() => openNote(signed.replaceAll('PeterNeumann', 'Carmen'), verifier)).toThrow(/no signature by PeterNeumann/);
    expect(() => openNote(text, verifier)).toThrow(/malformed/);
    expect(() => parseVerifierKey(vkey.replace('c74f20a3', 'c74f20a4'))).toThrow(/id does not match/);
    expect(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(NoteError);
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(() => openNote(signNote(text, 'PeterNeumann', other), verifier)).toThrow(/no signature by PeterNeumann/);
  });

  it('writes and reads a checkpoint, ignoring extension lines', () => {
    const root = sha256(Buffer.from('x'));
    const body = checkpointText({ origin: 'registry.example/audit', size: 42, root });
    expect(body).toBe(`registry.example/audit\n42\n${root.toString('base64')}\n`);
    expect(parseCheckpoint(body)).toEqual({ origin: 'registry.example/audit', size: 42, root });
    expect(parseCheckpoint(`${body}extension line\n`).size).toBe(42);
    for (const bad of ['x\n', 'o\n-1\nAAAA\n', `o\n01\n${root.toString('base64')}\n`, 'o\n1\nAAAA\n', `o\n1\n${root.toString('base64')}`]) {
      expect(() => parseCheckpoint(bad), JSON.stringify(bad)).toThrow(NoteError);
    }
  });
});

describe('leaves of audit event hashes', () => {
  it('hashes 64 hex digits as their 32 bytes, and a damaged value as Buffer.from(hex) decodes it', async () => {
    const { leafHashOfHex } = await import('../../src/audit/log/merkle.js');
    const hex = randomBytes(32).toString('hex');
    expect(leafHashOfHex(hex)).toEqual(leafHash(Buffer.from(hex, 'hex')));
    expect(leafHashOfHex(hex.toUpperCase())).toEqual(leafHash(Buffer.from(hex, 'hex')));
    for (const bad of ['zz', '', 'f'.repeat(63), `${hex.slice(0, 62)}zz`, `${hex}00`]) expect(leafHashOfHex(bad), bad).toEqual(leafHash(Buffer.from(bad, 'hex')));
  });
});
