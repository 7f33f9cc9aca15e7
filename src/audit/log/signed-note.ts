import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, and the C2SP transparency-log checkpoint
 * carried in one (https://c2sp.org/tlog-checkpoint). The same formats as Go's golang.org/x/mod/sumdb/note, so
 * the tools written for Go's checksum database and for Sigstore's witnesses read the registry's checkpoints.
 *
 * A note is its text (UTF-8, ending in a newline), an empty line, then one line per signature:
 * `— <key name> <base64(4-byte key id || 64-byte Ed25519 signature of the text)>`. The key id is the first four
 * bytes of SHA-256(<key name> || "\n" || 0x01 || <32-byte public key>); a verifier key is written
 * `<key name>+<key id, 8 hex digits>+<base64(0x01 || public key)>`.
 */

const ED25519 = 0x01;
const SIGNATURE_PREFIX = '— ';

/** Thrown for a note, key or checkpoint that is not well formed or does not verify; the message says which. */
export class NoteError extends Error {
  override name = 'NoteError';
}

/** A key name: non-empty, no white space, no `+`. */
export function isKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

/** The 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new NoteError(`the key is ${publicKey.asymmetricKeyType}, not Ed25519`);
  return Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
}

/** The 4-byte key id of a key name and Ed25519 public key (32 raw bytes). */
export function keyId(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(name).update('\n').update(Buffer.from([ED25519])).update(publicKey).digest().subarray(0, 4);
}

/** The verifier key `<name>+<key id hex>+<base64(0x01 || public key)>`. */
export function verifierKey(name: string, key: KeyObject): string {
  if (!isKeyName(name)) throw new NoteError(`"${name}" is not a key name (no spaces, no "+")`);
  const raw = rawPublicKey(key);
  return `${name}+${keyId(name, raw).toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), raw]).toString('base64')}`;
}

export interface Verifier {
  name: string;
  id: Buffer;
  publicKey: KeyObject;
}

/** Reads a verifier key; throws NoteError when it is malformed, not Ed25519, or its key id does not match. */
export function parseVerifierKey(vkey: string): Verifier {
  const m = /^([^+]*)\+([^+]*)\+(.*)$/su.exec(vkey.trim());
  if (!m) throw new NoteError('a verifier key is <name>+<key id>+<key>');
  const [, name, idHex, keyText] = m;
  if (!isKeyName(name) || !/^[0-9a-f]{8}$/.test(idHex)) throw new NoteError('a verifier key is <name>+<8 hex digits>+<base64 key>');
  const key = Buffer.from(keyText, 'base64');
  if (key.toString('base64') !== keyText) throw new NoteError('the verifier key is not base64');
  if (key.length !== 33 || key[0] !== ED25519) throw new NoteError('the verifier key is not an Ed25519 key (0x01 and 32 bytes)');
  const raw = key.subarray(1);
  const id = keyId(name, raw);
  if (id.toString('hex') !== idHex) throw new NoteError('the verifier key\'s id does not match its name and key');
  return { name, id, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' }) };
}

/** An Ed25519 private key from its 32-byte seed (the form Go's note package keeps). */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
}

/** Signs `text` (which must end in a newline) as a note with one signature by `name`. */
export function signNote(text: string, name: string, privateKey: KeyObject): string {
  if (!text.endsWith('\n') || text.includes('\n\n')) throw new NoteError('a note\'s text ends in a newline and has no empty line');
  if (!isKeyName(name)) throw new NoteError(`"${name}" is not a key name (no spaces, no "+")`);
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
  const id = keyId(name, rawPublicKey(privateKey));
  return `${text}\n${SIGNATURE_PREFIX}${name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

/**
 * Opens a signed note: returns its text when one of its signatures is by `verifier` and verifies. Throws
 * NoteError when the note is malformed, has no signature by that key, or the signature does not verify.
 */
export function openNote(note: string, verifier: Verifier): string {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteError('malformed note: no empty line before the signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  let found = false;
  for (const line of lines) {
    const m = /^— (\S+) (\S+)$/u.exec(line);
    if (!m) throw new NoteError(`malformed note: "${line}" is not a signature line`);
    const blob = Buffer.from(m[2], 'base64');
    if (m[1] !== verifier.name || blob.length < 4 || !blob.subarray(0, 4).equals(verifier.id)) continue;
    found = true;
    if (blob.length === 68 && verify(null, Buffer.from(text, 'utf8'), verifier.publicKey, blob.subarray(4))) return text;
  }
  throw new NoteError(found ? `the signature by ${verifier.name} does not verify` : `the note has no signature by ${verifier.name}`);
}

/** A transparency-log checkpoint: which log, how many entries, the root hash of the tree of them. */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
}

/** The checkpoint's note text: `<origin>\n<size>\n<base64 root>\n`. */
export function checkpointText(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
}

/** Reads a checkpoint's note text (lines after the third are extensions, ignored); throws NoteError. */
export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new NoteError('a checkpoint is <origin>, <tree size> and <base64 root hash>, one a line');
  const [origin, sizeText, rootText] = lines;
  if (!origin) throw new NoteError('the checkpoint has no origin');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw new NoteError(`the checkpoint's tree size "${sizeText}" is not a number`);
  const root = Buffer.from(rootText, 'base64');
  if (root.length !== 32 || root.toString('base64') !== rootText) throw new NoteError('the checkpoint\'s root hash is not 32 bytes of base64');
  return { origin, size: Number(sizeText), root };
}

/**
 * Splits notes written one after another (a checkpoint file) into single notes: each is its text lines, an empty
 * line, then its signature lines (starting "— "). Throws NoteError for anything else.
 */
export function splitNotes(text: string): string[] {
  const notes: string[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let i = 0;
  while (i < lines.length) {
    const start = i;
    while (i < lines.length && lines[i] !== '') i++;
    if (i >= lines.length || i === start) throw new NoteError(`malformed notes: line ${start + 1} does not start a note followed by its signatures`);
    i++;
    const signatures = i;
    while (i < lines.length && lines[i].startsWith(SIGNATURE_PREFIX)) i++;
    if (i === signatures) throw new NoteError(`malformed notes: the note at line ${start + 1} has no signature`);
    notes.push(`${lines.slice(start, i).join('\n')}\n`);
  }
  return notes;
}
