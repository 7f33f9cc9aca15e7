import { TransparencyLog } from './audit/log/transparency-log.js';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeedService } from './seed/seed.service.js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp } from './bootstrap.js';
import { ConfigError, type DatabaseConfig, loadConfig } from './config/config.js';
import { buildDataSourceOptions } from './database/data-source.options.js';

/** Where start-up writes its lines (the console, or a test's capture). */
export interface StartOutput {
  log(line: string): void;
  error(line: string): void;
}

/**
 * Starts the registry from the environment and listens; returns the running app, or undefined after printing
 * one line that says why it cannot start (bad configuration, a database that cannot be opened or reached, a
 * port in use). Never hangs on a bad database path: the SQLite directory is checked one level at a time.
 */
export async function startRegistry(env: NodeJS.ProcessEnv = process.env, out: StartOutput = console): Promise<NestFastifyApplication | undefined> {
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      out.error(`License Registry cannot start.\n${e.message}`);
      return undefined;
    }
    throw e;
  }
  const where = config.database.engine === 'postgres' ? 'the PostgreSQL database in DATABASE_URL' : `the SQLite database ${config.database.path}`;
  // Open the database once on its own first, so a wrong URL or path gets one clear line instead of framework stack traces.
  try {
    await checkDatabase(config.database);
  } catch (e) {
    out.error(`License Registry cannot start: could not open ${where}: ${(e as Error).message}`);
    return undefined;
  }
  let app;
  try {
    app = await createApp(config);
  } catch (e) {
    out.error(`License Registry cannot start: ${(e as Error).message}`);
    return undefined;
  }
  try {
    // Fastify's own "Server listening" line is left out: the start line below says it (at debug it is kept).
    const log = app.getHttpAdapter().getInstance().log;
    const level = log.level;
    if (level === 'info') log.level = 'warn';
    try {
      await app.listen({ port: config.port, host: config.host });
    } finally {
      log.level = level;
    }
  } catch (e) {
    const busy = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
    out.error(`License Registry cannot start: ${busy ? `port ${config.port} is already in use (set PORT)` : (e as Error).message}`);
    await app.close();
    return undefined;
  }
  app.get(TransparencyLog).startIssuing();
  const base = `http://localhost:${config.port}`;
  const loaded = app.get(SeedService).loaded;
  const seeded = loaded ? `; loaded reference data ${loaded.version}: ${loaded.created.companies} companies, ${loaded.created.licenses} licenses, ${loaded.created.shipments} shipments` : '';
  // One line: what runs, on which database (never its password), where, what was loaded.
  out.log(`License Registry ${version()} is running on ${base} (${databaseShown(config.database)}${seeded}); API docs ${base}/docs, health ${base}/health`);
  stopOnSignals(app, config.shutdownGraceMs, out);
  return app;
}

/** The database as the start line shows it: the SQLite file, or the PostgreSQL URL without its password. */
function databaseShown(database: DatabaseConfig): string {
  if (database.engine === 'sqlite') return `sqlite: ${database.path}`;
  const url = new URL(database.url);
  url.password = '';
  return `postgres: ${url.toString().replace(/:@/, '@')}`;
}

/** The registry's version, from its package.json (found upwards from this file: src/ or dist/src/). */
function version(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // not here: one level up
    }
  }
  return 'unknown';
}

/**
 * A clean stop on SIGTERM or SIGINT (a restart for an upgrade, Ctrl-C): no new connections; the requests in flight
 * finish, for up to `graceMs`, after which their connections are closed (work still running is rolled back when the
 * database closes); then the import worker and the database are closed and the process exits 0.
 */
function stopOnSignals(app: NestFastifyApplication, graceMs: number, out: StartOutput): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    out.log(`License Registry is stopping (${signal}): finishing the requests in flight, for at most ${graceMs / 1000} s`);
    const force = setTimeout(() => (app.getHttpServer() as Server).closeAllConnections(), graceMs);
    try {
      await app.close();
    } finally {
      clearTimeout(force);
    }
    out.log('License Registry stopped');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop(signal));
}

/** Opens the database (the writer: it must be writable) and runs one query; throws the driver's error. */
export async function checkDatabase(database: DatabaseConfig): Promise<void> {
  const ds = new DataSource({ ...buildDataSourceOptions(database, 'writer'), entities: [], migrations: [] });
  await ds.initialize();
  try {
    await ds.query('SELECT 1');
    // A read-only file or directory opens, but cannot take the write lock.
    if (database.engine === 'sqlite') {
      await ds.query('BEGIN IMMEDIATE');
      await ds.query('ROLLBACK');
    }
  } finally {
    await ds.destroy();
  }
}
