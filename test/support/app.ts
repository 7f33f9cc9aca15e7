import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import pg from 'pg';
import request from 'supertest';
import { AppModule } from '../../src/app.module.js';
import { configureApp, createAdapter } from '../../src/app.setup.js';
import { Clock } from '../../src/common/clock.js';
import type { DatabaseConfig, RegistryConfig } from '../../src/config/config.js';

/**
 * The registry on a real database, through HTTP. The engine comes from TEST_DATABASE_URL:
 * unset -> an in-memory SQLite database per app; postgres://.../ADMIN_DB -> a fresh database per app,
 * created here and dropped by close(). Never runs against a database it did not create.
 */
export interface TestApp {
  app: NestFastifyApplication;
  http: ReturnType<typeof request>;
  engine: 'sqlite' | 'postgres';
  /** Sets the registry's "today" (default: the real one). */
  setToday(date: string | undefined): void;
  close(): Promise<void>;
}

export const engine: 'sqlite' | 'postgres' = process.env.TEST_DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite';

async function createDatabase(): Promise<{ database: DatabaseConfig; drop: () => Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl || engine === 'sqlite') return { database: { engine: 'sqlite', path: ':memory:' }, drop: async () => {} };
  const name = `lr_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    database: { engine: 'postgres', url: url.toString() },
    drop: async () => {
      if (!name.startsWith('lr_test_')) throw new Error(`refusing to drop ${name}`);
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function startApp(options: { seed?: boolean } = {}): Promise<TestApp> {
  const { database, drop } = await createDatabase();
  const config: RegistryConfig = {
    port: 0,
    database,
    seed: options.seed ?? false,
    timeZone: 'Asia/Karachi',
    logLevel: 'silent',
    nodeEnv: 'test',
  };
  let today: string | undefined;
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
  const clock = moduleRef.get(Clock);
  const realToday = clock.today.bind(clock);
  clock.today = () => today ?? realToday();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(config), { logger: false });
  configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    http: request(app.getHttpServer()),
    engine: database.engine,
    setToday: (d) => {
      today = d;
    },
    close: async () => {
      await app.close();
      await drop();
    },
  };
}
