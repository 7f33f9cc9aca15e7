import proxyaddr from '@fastify/proxy-addr';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Registry configuration, read once from the environment and validated (README: Configuration).
 * A bad value stops the start with one message listing every bad variable, never a stack trace.
 */
export type DatabaseConfig = (
  | { engine: 'sqlite'; path: string } // path is a file path or ':memory:'
  | { engine: 'postgres'; url: string }
) & { limits?: Partial<DatabaseLimits> };

/** How long the registry waits for its database, in milliseconds (defaults: DEFAULT_DATABASE_LIMITS). */
export interface DatabaseLimits {
  /**
   * A write that cannot start within this (SQLite: the one writer; PostgreSQL: a writer connection, then each
   * row or advisory lock it needs, as `lock_timeout`) answers 503 BUSY and writes nothing (WRITE_WAIT_MS).
   */
  writeWaitMs: number;
  /** PostgreSQL `statement_timeout` of the registry's sessions (DB_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs: number;
  /** PostgreSQL `idle_in_transaction_session_timeout` of the registry's sessions (DB_IDLE_IN_TRANSACTION_TIMEOUT_MS). */
  idleInTransactionMs: number;
}

export const DEFAULT_DATABASE_LIMITS: DatabaseLimits = { writeWaitMs: 5000, statementTimeoutMs: 60_000, idleInTransactionMs: 60_000 };

/** The limits of a database configuration, with the defaults for those not set. */
export function limitsOf(database: DatabaseConfig): DatabaseLimits {
  return { ...DEFAULT_DATABASE_LIMITS, ...database.limits };
}

export interface RegistryConfig {
  port: number;
  /** Address to listen on (default 0.0.0.0: every interface). */
  host: string;
  database: DatabaseConfig;
  /** Load the reference data into an empty database at start. */
  seed: boolean;
  /** IANA time zone whose calendar day is "today" for the regulator. */
  timeZone: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  nodeEnv: string;
  auth: AuthConfig;
  /** Public requests a minute per client address (PUBLIC_RATE_LIMIT, default 300). */
  publicRateLimit: number;
  /** Memory for computed public responses, in MiB (PUBLIC_CACHE_MB, default 64; 0 keeps none). */
  publicCacheMb: number;
  /**
   * Which peers are reverse proxies whose X-Forwarded-For names the client (TRUST_PROXY): none (the default: the
   * header is ignored), the addresses or CIDR ranges of the proxies (`10.0.0.1, 10.1.0.0/16`, or `loopback`), or
   * how many proxies stand in front (`1`).
   */
  trustProxy: TrustProxy;
  /** Redis for what several instances must share, the rate limits (REDIS_URL, redis://host:port/db); none: in memory. */
  redisUrl: string | null;
  /** The bearer token that reads GET /metrics (METRICS_TOKEN, at least 32 characters); without one /metrics is 404. */
  metricsToken: string | null;
  /** On SIGTERM or SIGINT, how long requests in flight may take to finish before their connections are closed (SHUTDOWN_GRACE_MS, default 10 s). */
  shutdownGraceMs: number;
  /** The transparency log's name and keys (docs/transparency-log.md). */
  log: LogConfig;
  /**
   * Four eyes (FOUR_EYES, default true): a license decision made through the API (grant, amendment, lifecycle
   * action) is a proposal until an ADMIN other than its proposer approves it. False applies it at once, audited as
   * not reviewed (one-person installations and trials).
   */
  fourEyes: boolean;
  /** Days a proposal may wait for a decision after the day it was made before it lapses (PROPOSAL_TTL_DAYS, 1..365, default 30). */
  proposalTtlDays: number;
  /**
   * Public conditions (PUBLIC_CONDITIONS, default true): a manufacturer's public profile shows each license
   * condition's title and status today (never reported values, notes or documents). False leaves them out.
   */
  publicConditions: boolean;
  /**
   * Where the documents submitted with license conditions are kept, each once under its SHA-256 (DOCUMENTS_DIR,
   * default data/documents). Back it up with the database: submissions name their documents by hash.
   */
  documentsDir: string;
}

/** The transparency log over the audit events: who it is, where its signing key and checkpoint file are. */
export interface LogConfig {
  /**
   * The log's origin, the first line of every checkpoint, also the signing key's name (LOG_ORIGIN; default
   * `<this machine's host name>/license-registry`): one line, no spaces, no "+".
   */
  origin: string;
  /**
   * The Ed25519 private key that signs checkpoints, a PKCS#8 PEM file (LOG_SIGNING_KEY_FILE), never kept in the
   * database. Required when NODE_ENV=production; otherwise data/log-signing-key.pem, generated on first start.
   */
  signingKeyFile: string;
  /** True when LOG_SIGNING_KEY_FILE was not set: the development key file, made if missing, with a warning. */
  signingKeyGenerated: boolean;
  /** Where each checkpoint is also appended, to the file `checkpoints` (LOG_CHECKPOINT_DIR, default data/checkpoints). */
  checkpointDir: string;
}

export const DEFAULT_LOG_SIGNING_KEY_FILE = 'data/log-signing-key.pem';
export const DEFAULT_DOCUMENTS_DIR = 'data/documents';

/** TRUST_PROXY, read: see RegistryConfig.trustProxy. */
export type TrustProxy = { addresses: string[] } | { hops: number } | null;

export interface AuthConfig {
  /** HS256 key for access tokens; every instance sharing a database needs the same one. */
  jwtSecret: string;
  /** True when JWT_SECRET was not set and a random per-process key is used (development only). */
  jwtSecretGenerated: boolean;
  /** Access-token lifetime in seconds (default 900: 15 minutes). */
  tokenTtlSeconds: number;
  /** The first admin, created when there is no staff yet. */
  bootstrapAdmin: { email: string; password: string } | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const DEFAULT_SQLITE_PATH = 'data/registry.sqlite';

/** Parses DATABASE_URL: unset -> SQLite file data/registry.sqlite; `sqlite:PATH`, `sqlite::memory:`, `postgres://...`. */
export function parseDatabaseUrl(raw: string | undefined): DatabaseConfig {
  const value = raw?.trim();
  if (!value) return { engine: 'sqlite', path: DEFAULT_SQLITE_PATH };
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new Error('DATABASE_URL "sqlite:" needs a path, e.g. sqlite:data/registry.sqlite or sqlite::memory:');
    return { engine: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new Error('DATABASE_URL is not a valid postgres:// URL');
    }
    if (!url.hostname) throw new Error('DATABASE_URL postgres:// URL has no host');
    if (url.pathname.length <= 1) throw new Error('DATABASE_URL postgres:// URL names no database (postgres://user@host:5432/DBNAME)');
    return { engine: 'postgres', url: value };
  }
  throw new Error(
    `DATABASE_URL must be unset, sqlite:PATH, sqlite::memory: or postgres://...; got a URL with scheme "${value.split(":")[0]}:"`,
  );
}

function parseBoolean(name: string, raw: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  problems.push(`${name} must be true or false; got "${raw}"`);
  return fallback;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Reads and validates the environment; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RegistryConfig {
  const problems: string[] = [];

  let port = 3000;
  if (env.PORT !== undefined && env.PORT.trim() !== '') {
    port = Number(env.PORT);
    if (!/^\d+$/.test(env.PORT.trim()) || port < 0 || port > 65535) {
      problems.push(`PORT must be an integer 0..65535; got "${env.PORT}"`);
    }
  }

  let database: DatabaseConfig = { engine: 'sqlite', path: DEFAULT_SQLITE_PATH };
  try {
    database = parseDatabaseUrl(env.DATABASE_URL);
  } catch (e) {
    problems.push((e as Error).message);
  }

  const limits = { ...DEFAULT_DATABASE_LIMITS };
  for (const [name, key, max] of [
    ['WRITE_WAIT_MS', 'writeWaitMs', 600_000],
    ['DB_STATEMENT_TIMEOUT_MS', 'statementTimeoutMs', 86_400_000],
    ['DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 'idleInTransactionMs', 86_400_000],
  ] as const) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < 1 || value > max) problems.push(`${name} must be a whole number of milliseconds 1..${max}; got "${env[name]}"`);
    else limits[key] = value;
  }
  database = { ...database, limits };

  const seed = parseBoolean('SEED', env.SEED, true, problems);

  const timeZone = env.REGISTRY_TIME_ZONE?.trim() || 'Asia/Karachi';
  if (!isValidTimeZone(timeZone)) problems.push(`REGISTRY_TIME_ZONE must be an IANA time zone such as Asia/Karachi; got "${timeZone}"`);

  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as RegistryConfig['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${env.LOG_LEVEL}"`);

  const nodeEnv = env.NODE_ENV ?? 'development';
  const auth = loadAuthConfig(env, nodeEnv, problems);

  let publicRateLimit = 300;
  if (env.PUBLIC_RATE_LIMIT?.trim()) {
    publicRateLimit = Number(env.PUBLIC_RATE_LIMIT);
    if (!Number.isInteger(publicRateLimit) || publicRateLimit < 1) problems.push(`PUBLIC_RATE_LIMIT must be a positive integer (requests a minute); got "${env.PUBLIC_RATE_LIMIT}"`);
  }
  let publicCacheMb = 64;
  if (env.PUBLIC_CACHE_MB?.trim()) {
    publicCacheMb = Number(env.PUBLIC_CACHE_MB);
    if (!Number.isInteger(publicCacheMb) || publicCacheMb < 0 || publicCacheMb > 65_536) problems.push(`PUBLIC_CACHE_MB must be an integer 0..65536 (MiB); got "${env.PUBLIC_CACHE_MB}"`);
  }
  const trustProxy = parseTrustProxy(env.TRUST_PROXY, problems);
  const redisUrl = env.REDIS_URL?.trim() || null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must be redis://host:port[/db] (or rediss:// for TLS)');
  const metricsToken = env.METRICS_TOKEN?.trim() || null;
  if (metricsToken && metricsToken.length < 32) problems.push('METRICS_TOKEN must be at least 32 characters (it guards the metrics)');
  let shutdownGraceMs = 10_000;
  if (env.SHUTDOWN_GRACE_MS?.trim()) {
    shutdownGraceMs = Number(env.SHUTDOWN_GRACE_MS);
    if (!/^\d+$/.test(env.SHUTDOWN_GRACE_MS.trim()) || shutdownGraceMs > 600_000) problems.push(`SHUTDOWN_GRACE_MS must be a whole number of milliseconds 0..600000; got "${env.SHUTDOWN_GRACE_MS}"`);
  }
  const log = loadLogConfig(env, nodeEnv, problems);
  const fourEyes = parseBoolean('FOUR_EYES', env.FOUR_EYES, true, problems);
  let proposalTtlDays = 30;
  if (env.PROPOSAL_TTL_DAYS?.trim()) {
    proposalTtlDays = Number(env.PROPOSAL_TTL_DAYS);
    if (!/^\d+$/.test(env.PROPOSAL_TTL_DAYS.trim()) || proposalTtlDays < 1 || proposalTtlDays > 365) problems.push(`PROPOSAL_TTL_DAYS must be a whole number of days 1..365; got "${env.PROPOSAL_TTL_DAYS}"`);
  }
  const publicConditions = parseBoolean('PUBLIC_CONDITIONS', env.PUBLIC_CONDITIONS, true, problems);
  const documentsDir = env.DOCUMENTS_DIR?.trim() || DEFAULT_DOCUMENTS_DIR;
  if (problems.length) throw new ConfigError(problems);
  const host = env.HOST?.trim() || '0.0.0.0';
  return { port, host, database, seed, timeZone, logLevel, nodeEnv, auth, publicRateLimit, publicCacheMb, trustProxy, shutdownGraceMs, metricsToken, redisUrl, log, fourEyes, proposalTtlDays, publicConditions, documentsDir };
}

/** TRUST_PROXY: empty (none), a number of proxies 1..10, or addresses/CIDR ranges separated by commas. */
function parseTrustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  const value = raw?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops >= 1 && hops <= 10) return { hops };
    problems.push(`TRUST_PROXY as a number of proxies must be 1..10; got "${raw}"`);
    return null;
  }
  const addresses = value.split(',').map((a) => a.trim()).filter(Boolean);
  try {
    proxyaddr.compile(addresses);
  } catch (e) {
    problems.push(`TRUST_PROXY must be addresses or CIDR ranges separated by commas (or loopback, linklocal, uniquelocal), or a number of proxies: ${(e as Error).message}`);
    return null;
  }
  return { addresses };
}

function loadLogConfig(env: NodeJS.ProcessEnv, nodeEnv: string, problems: string[]): LogConfig {
  const origin = env.LOG_ORIGIN?.trim() || `${hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '-') || 'localhost'}/license-registry`;
  if (!/^[\x21-\x2a\x2c-\x7e]{1,200}$/.test(origin)) problems.push(`LOG_ORIGIN must be one line of printable ASCII without spaces or "+" (e.g. registry.example.gov.pk/audit); got "${env.LOG_ORIGIN}"`);
  const keyFile = env.LOG_SIGNING_KEY_FILE?.trim();
  if (!keyFile && nodeEnv === 'production') problems.push('LOG_SIGNING_KEY_FILE is required when NODE_ENV=production (an Ed25519 private key, PKCS#8 PEM: npm run cli -- log:keygen FILE)');
  return {
    origin,
    signingKeyFile: keyFile || DEFAULT_LOG_SIGNING_KEY_FILE,
    signingKeyGenerated: !keyFile,
    checkpointDir: env.LOG_CHECKPOINT_DIR?.trim() || 'data/checkpoints',
  };
}

/** Nest injection token for the RegistryConfig. */
export const REGISTRY_CONFIG = Symbol('REGISTRY_CONFIG');

function loadAuthConfig(env: NodeJS.ProcessEnv, nodeEnv: string, problems: string[]): AuthConfig {
  const secret = env.JWT_SECRET ?? '';
  if (secret && secret.length < 32) problems.push('JWT_SECRET must be at least 32 characters');
  if (!secret && nodeEnv === 'production') problems.push('JWT_SECRET is required when NODE_ENV=production (at least 32 random characters)');
  let tokenTtlSeconds = 900;
  if (env.JWT_TTL_SECONDS?.trim()) {
    tokenTtlSeconds = Number(env.JWT_TTL_SECONDS);
    if (!Number.isInteger(tokenTtlSeconds) || tokenTtlSeconds < 60 || tokenTtlSeconds > 86_400) problems.push(`JWT_TTL_SECONDS must be an integer 60..86400; got "${env.JWT_TTL_SECONDS}"`);
  }
  const email = env.BOOTSTRAP_ADMIN_EMAIL?.trim();
  const password = env.BOOTSTRAP_ADMIN_PASSWORD;
  if (Boolean(email) !== Boolean(password)) problems.push('BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD go together: set both or neither');
  return {
    jwtSecret: secret || randomBytes(32).toString('hex'),
    jwtSecretGenerated: !secret,
    tokenTtlSeconds,
    bootstrapAdmin: email && password ? { email, password } : null,
  };
}
