import { tuneRuntime } from './runtime.js';
import { ConfigError, loadConfig } from './config/config.js';
import { DataSource } from 'typeorm';
import { createApp } from './bootstrap.js';
import type { DatabaseConfig } from './config/config.js';
import { buildDataSourceOptions } from './database/data-source.options.js';

async function main(): Promise<void> {
  tuneRuntime();
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`License Registry cannot start.\n${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  const where = config.database.engine === 'postgres' ? 'the PostgreSQL database in DATABASE_URL' : `the SQLite database ${config.database.path}`;
  // Open the database once on its own first, so a wrong URL gets one clear line instead of framework stack traces.
  try {
    await checkDatabase(config.database);
  } catch (e) {
    console.error(`License Registry cannot start: could not open ${where}: ${(e as Error).message}`);
    process.exit(1);
  }
  let app;
  try {
    app = await createApp(config);
  } catch (e) {
    console.error(`License Registry cannot start: ${(e as Error).message}`);
    process.exit(1);
  }
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    const busy = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
    console.error(`License Registry cannot start: ${busy ? `port ${config.port} is already in use (set PORT)` : (e as Error).message}`);
    await app.close();
    process.exit(1);
  }
  const base = `http://localhost:${config.port}`;
  console.log(
    [
      `License Registry is running on ${base} (${config.database.engine}${config.database.engine === 'sqlite' ? `: ${config.database.path}` : ''})`,
      `  licenses on 2021-08-13: ${base}/api/v1/licenses?on=2021-08-13`,
      `  shipments:              ${base}/api/v1/shipments`,
      `  API docs:               ${base}/docs`,
      `  health:                 ${base}/health`,
    ].join('\n'),
  );
}

async function checkDatabase(database: DatabaseConfig): Promise<void> {
  const ds = new DataSource({ ...buildDataSourceOptions(database), entities: [], migrations: [] });
  await ds.initialize();
  try {
    await ds.query('SELECT 1');
  } finally {
    await ds.destroy();
  }
}

void main();
