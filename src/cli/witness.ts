import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyConsistency, verifyInclusion } from '../audit/log/merkle.js';
import { type Checkpoint, NoteError, openNote, parseCheckpoint, parseVerifierKey, type Verifier } from '../audit/log/signed-note.js';

/**
 * A witness of a registry's transparency log (docs/transparency-log.md), run by someone outside the registry
 * (an auditor, another agency) from their own machine, e.g. daily: `npm run cli -- log:witness --url URL --state DIR`.
 *
 * It keeps, in DIR, the log's key as first seen (`key`: trust on first use; a changed key is refused), the latest
 * checkpoint it accepted (`checkpoint`) and every one it accepted (`checkpoints`, appended). Each run fetches the
 * log's latest checkpoint, checks its signature with the kept key, and, when it has an earlier checkpoint, that the
 * new tree extends it: a consistency proof (RFC 9162 2.1.4) from the kept size to the new one, checked here against
 * both roots; and that the log can prove its checkpoint (the newest event's inclusion proof leads to its root).
 * Nothing is kept from a run that fails.
 */

export interface WitnessResult {
  ok: boolean;
  lines: string[];
}

type Fetch = (url: string) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

class WitnessFailure extends Error {}

export async function witness(baseUrl: string, stateDir: string, fetcher: Fetch = fetch): Promise<WitnessResult> {
  const lines: string[] = [];
  const base = baseUrl.replace(/\/+$/, '');
  const get = async (path: string): Promise<string> => {
    let res: Awaited<ReturnType<Fetch>>;
    try {
      res = await fetcher(`${base}${path}`);
    } catch (e) {
      throw new WitnessFailure(`could not reach ${base}${path}: ${(e as Error).message}`);
    }
    if (!res.ok) {
      const body = await res.text().catch(() => '');
      let detail = '';
      try {
        const problem = JSON.parse(body) as { code?: string; detail?: string };
        if (problem.detail) detail = `: ${problem.code ? `${problem.code}: ` : ''}${problem.detail}`;
      } catch {
        // not problem+json: the status says it
      }
      throw new WitnessFailure(`${base}${path} answered ${res.status}${detail}`);
    }
    return res.text();
  };
  try {
    mkdirSync(stateDir, { recursive: true });
    const keyFile = join(stateDir, 'key');
    const key = JSON.parse(await get('/public/v1/log/key')) as { verifierKey?: string };
    if (typeof key.verifierKey !== 'string') throw new WitnessFailure('the log\'s key answer has no verifierKey');
    let verifier: Verifier;
    let pinned: string | null = null;
    if (existsSync(keyFile)) {
      pinned = readFileSync(keyFile, 'utf8').trim();
      if (pinned !== key.verifierKey) {
        throw new WitnessFailure(
          `the log's key changed: kept ${pinned}, now ${key.verifierKey} (if the registry announced a new key through another channel, witness it from a new --state directory; keep this one: its checkpoints are the record of the log under the old key)`,
        );
      }
      verifier = parseVerifierKey(pinned);
    } else {
      verifier = parseVerifierKey(key.verifierKey);
    }
    const note = await get('/public/v1/log/checkpoint');
    let latest: Checkpoint;
    try {
      latest = parseCheckpoint(openNote(note, verifier));
    } catch (e) {
      throw new WitnessFailure(`the checkpoint does not verify with the log's key: ${(e as Error).message}`);
    }
    if (latest.origin !== verifier.name) throw new WitnessFailure(`the checkpoint is of the log "${latest.origin}", the key of "${verifier.name}"`);
    const keptFile = join(stateDir, 'checkpoint');
    if (existsSync(keptFile)) {
      const kept = parseCheckpoint(openNote(readFileSync(keptFile, 'utf8'), verifier));
      if (latest.size < kept.size) throw new WitnessFailure(`the log shrank: it now has ${latest.size} events, the checkpoint kept here has ${kept.size}`);
      if (latest.size === kept.size) {
        if (!latest.root.equals(kept.root)) throw new WitnessFailure(`the log forked: two checkpoints of ${kept.size} events with different roots (kept ${kept.root.toString('base64')}, now ${latest.root.toString('base64')})`);
        lines.push(`ok: ${latest.origin} still has ${latest.size} events, the same root as the checkpoint kept here`);
      } else {
        const proof = JSON.parse(await get(`/public/v1/log/proofs/consistency?from=${kept.size}&to=${latest.size}`)) as { hashes?: unknown };
        const hashes = Array.isArray(proof.hashes) ? proof.hashes.map((h) => Buffer.from(String(h), 'base64')) : [];
        if (!verifyConsistency(kept.size, latest.size, kept.root, latest.root, hashes)) {
          throw new WitnessFailure(`the log is not consistent with the checkpoint kept here: the tree of ${latest.size} events does not extend the tree of ${kept.size} events (its past was rewritten)`);
        }
        lines.push(`ok: ${latest.origin} grew from ${kept.size} to ${latest.size} events, consistent with the checkpoint kept here`);
      }
    } else {
      lines.push(`ok: ${latest.origin} has ${latest.size} events; first checkpoint kept${pinned ? '' : `, key kept: ${key.verifierKey}`}`);
    }
    // The registry must be able to prove what it signed: the newest event's inclusion in the signed tree, checked
    // here (a checkpoint served over a log that lost its events or whose tree was changed fails this).
    if (latest.size > 0) {
      const proof = JSON.parse(await get(`/public/v1/log/proofs/inclusion?index=${latest.size - 1}&treeSize=${latest.size}`)) as { leafHash?: unknown; hashes?: unknown };
      const leaf = Buffer.from(String(proof.leafHash ?? ''), 'base64');
      const path = Array.isArray(proof.hashes) ? proof.hashes.map((h) => Buffer.from(String(h), 'base64')) : [];
      if (!verifyInclusion(latest.size - 1, latest.size, leaf, path, latest.root)) {
        throw new WitnessFailure(`the log cannot prove its own checkpoint: the inclusion proof of event ${latest.size} does not lead to the signed root of ${latest.size} events (its tree was changed)`);
      }
    }
    if (!pinned) writeFileSync(keyFile, `${key.verifierKey}\n`);
    const temporary = `${keptFile}.tmp`;
    writeFileSync(temporary, note);
    renameSync(temporary, keptFile);
    appendFileSync(join(stateDir, 'checkpoints'), note);
    return { ok: true, lines };
  } catch (e) {
    if (e instanceof WitnessFailure || e instanceof NoteError || e instanceof SyntaxError) {
      return { ok: false, lines: [`FAILED: ${e.message}`] };
    }
    throw e;
  }
}
