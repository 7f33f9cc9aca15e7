import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogConfig } from '../../config/config.js';

/**
 * The transparency log's Ed25519 signing key, read from LOG_SIGNING_KEY_FILE (PKCS#8 PEM). Without that setting
 * (development only: production requires it) the key is data/log-signing-key.pem, generated on first start;
 * `warn` is told, as checkpoints signed by a key that lives beside the database prove little.
 * Throws an Error naming the file when it is missing, unreadable or not an Ed25519 private key.
 */
export function loadSigningKey(config: LogConfig, warn: (message: string) => void): KeyObject {
  const file = config.signingKeyFile;
  if (!existsSync(file)) {
    if (!config.signingKeyGenerated) throw new Error(`LOG_SIGNING_KEY_FILE ${file} does not exist (make one with: npm run cli -- log:keygen ${file})`);
    if (writeSigningKey(file)) warn(`Generated the transparency log's signing key in ${file} (development only: set LOG_SIGNING_KEY_FILE to a key kept away from the database)`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`The log signing key ${file} is not a PKCS#8 PEM private key: ${(e as Error).message}`, { cause: e });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`The log signing key ${file} is ${key.asymmetricKeyType}, not Ed25519`);
  return key;
}

/**
 * Writes a new Ed25519 private key to `file` (PKCS#8 PEM, readable by its owner only), whole or not at all (a
 * temporary file linked into place), and never over an existing one: returns false when `file` already exists
 * (e.g. written meanwhile by another process starting beside this one).
 */
export function writeSigningKey(file: string): boolean {
  mkdirSync(dirname(file), { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(temporary);
  }
}
