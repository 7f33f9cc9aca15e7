/**
 * Operator commands: `npm run cli -- <command>`.
 *   migration:run     apply pending migrations (also done at every start)
 *   migration:show    list migrations and whether each has run
 *   seed              load the reference data (idempotent)
 *   openapi           print the OpenAPI 3 document (the one served at /docs-json)
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module.js';
import { createApp } from '../bootstrap.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { buildDataSourceOptions } from '../database/data-source.options.js';
import { SeedService } from '../seed/seed.service.js';

const USAGE = 'usage: npm run cli -- migration:run | migration:show | seed | openapi';

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  const config = loadConfig();
  switch (command) {
    case 'migration:run':
    case 'migration:show': {
      const ds = await new DataSource(buildDataSourceOptions(config.database)).initialize();
      try {
        if (command === 'migration:run') {
          const ran = await ds.runMigrations({ transaction: 'each' });
          console.log(ran.length ? `Applied: ${ran.map((m) => m.name).join(', ')}` : 'No pending migrations');
        } else {
          const pending = await ds.showMigrations();
          console.log(pending ? 'There are pending migrations' : 'All migrations have run');
        }
      } finally {
        await ds.destroy();
      }
      return 0;
    }
    case 'seed': {
      const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, seed: false }), { logger: ['error', 'warn'] });
      try {
        const result = await app.get(SeedService).seed();
        console.log(`Reference data ${result.version}: created ${JSON.stringify(result.created)} (existing records left as they are)`);
      } finally {
        await app.close();
      }
      return 0;
    }
    case 'openapi': {
      // An in-memory database: the document depends only on the code.
      const app = await createApp({ ...config, database: { engine: 'sqlite', path: ':memory:' }, seed: false, logLevel: 'silent' });
      try {
        const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs-json' });
        process.stdout.write(`${JSON.stringify(JSON.parse(res.body), null, 2)}\n`);
      } finally {
        await app.close();
      }
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof ConfigError ? e.message : `Failed: ${(e as Error).message}`);
    process.exit(1);
  },
);
