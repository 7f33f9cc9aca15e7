import { ConfigError, loadConfig } from './config/config.js';
import { createApp } from './bootstrap.js';

async function main(): Promise<void> {
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
  let app;
  try {
    app = await createApp(config);
  } catch (e) {
    const where = config.database.engine === 'postgres' ? 'the PostgreSQL database in DATABASE_URL' : `the SQLite database ${config.database.path}`;
    console.error(`License Registry cannot start: could not open ${where}: ${(e as Error).message}`);
    process.exit(1);
  }
  await app.listen({ port: config.port, host: '0.0.0.0' });
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

void main();
