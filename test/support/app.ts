import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { writeSigningKey } from '../../src/audit/log/signing-key.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import pg from 'pg';
import request from 'supertest';
import { AppModule } from '../../src/app.module.js';
import { configureApp, createAdapter, NEST_APP_OPTIONS } from '../../src/app.setup.js';
import { Clock } from '../../src/common/clock.js';
import { AuthService } from '../../src/auth/auth.service.js';
import type { StaffDto } from '../../src/auth/dto/staff.dto.js';
import type { StaffRole } from '../../src/common/roles.js';
import { StaffService } from '../../src/auth/staff.service.js';
import type { DatabaseConfig, DatabaseLimits, RegistryConfig } from '../../src/config/config.js';

export const TEST_PASSWORD = 'a test passphrase, long enough';

/**
 * The registry on a real database, through HTTP. The engine comes from TEST_DATABASE_URL:
 * unset -> a new SQLite file per app (in the temporary directory, with its own reader and writer connections as
 * in production); postgres://.../ADMIN_DB -> a fresh database per app. Each is made here and removed by close().
 * Never runs against a database it did not create.
 */
type Agent = ReturnType<typeof request.agent>;

export interface TestApp {
  app: NestFastifyApplication;
  /** Signed in as an OFFICER (the role that records companies, licenses and shipments). */
  http: Agent;
  /** No token. */
  anon: ReturnType<typeof request>;
  /** Signed in with a role. */
  as(role: StaffRole): Agent;
  staff: Record<StaffRole, StaffDto & { token: string }>;
  /** Another staff account with this role (e.g. a second ADMIN, for four eyes), and an agent signed in as it. */
  addStaff(role: StaffRole): Promise<StaffDto & { http: Agent }>;
  database: DatabaseConfig;
  /** Every route the application registered (method, url with :params). */
  routes: { method: string; url: string }[];
  /** The ETag of a resource, for If-Match. */
  etag(path: string): Promise<string>;
  engine: 'sqlite' | 'postgres';
  /** Where this app appends its checkpoints (a temporary directory unless given). */
  checkpointDir: string;
  /** Where this app keeps submitted documents (a temporary directory unless given). */
  documentsDir: string;
  /** Sets the registry's "today" (default: the real one). */
  setToday(date: string | undefined): void;
  close(): Promise<void>;
}

export const engine: 'sqlite' | 'postgres' = process.env.TEST_DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite';

/** A new SQLite file in the temporary directory, and a function that removes it (with its WAL files). */
export function createSqliteFile(): { database: DatabaseConfig; drop: () => Promise<void> } {
  const path = join(tmpdir(), `lr_test_${process.pid}_${randomBytes(4).toString('hex')}.sqlite`);
  return {
    database: { engine: 'sqlite', path },
    drop: async () => {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
    },
  };
}

/** A fresh database for one test app: a new SQLite file, or a new PostgreSQL database; with a drop function. */
export async function createDatabase(): Promise<{ database: DatabaseConfig; drop: () => Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl || engine === 'sqlite') return createSqliteFile();
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

/** The transparency log settings for a configuration read by loadConfig in a test: the test key, a checkpoint directory of its own. */
export function testLogEnv(): Record<string, string> {
  return { LOG_ORIGIN: 'registry.test/audit', LOG_SIGNING_KEY_FILE: testSigningKeyFile(), LOG_CHECKPOINT_DIR: mkdtempSync(join(tmpdir(), 'lr_checkpoints_')) };
}

/** One log signing key for every app of this test process (a file in the temporary directory). */
export function testSigningKeyFile(): string {
  const file = join(tmpdir(), `lr_test_log_key_${process.pid}.pem`);
  if (!existsSync(file)) writeSigningKey(file);
  return file;
}

export async function startApp(options: { seed?: boolean; jwtSecret?: string; shareDatabaseWith?: TestApp; bootstrapAdmin?: { email: string; password: string }; publicRateLimit?: number; engine?: 'sqlite'; sqliteFile?: string; database?: { database: DatabaseConfig; drop: () => Promise<void> }; limits?: Partial<DatabaseLimits>; logLevel?: RegistryConfig['logLevel']; trustProxy?: RegistryConfig['trustProxy']; metricsToken?: string; redisUrl?: string; checkpointDir?: string; fourEyes?: boolean; proposalTtlDays?: number; publicConditions?: boolean; documentsDir?: string } = {}): Promise<TestApp> {
  // A second instance on the same database (PostgreSQL): same database, same staff, same token key.
  const shared = options.shareDatabaseWith;
  const { database, drop } = shared
    ? { database: shared.database, drop: async () => {} }
    : options.database
      ? options.database
    : options.sqliteFile
      ? { database: { engine: 'sqlite' as const, path: options.sqliteFile }, drop: async () => {} }
    : options.engine === 'sqlite'
      ? createSqliteFile()
      : await createDatabase();
  const config: RegistryConfig = {
    port: 0,
    host: '127.0.0.1',
    database: options.limits ? { ...database, limits: { ...database.limits, ...options.limits } } : database,
    seed: options.seed ?? false,
    timeZone: 'Asia/Karachi',
    logLevel: options.logLevel ?? 'silent',
    nodeEnv: 'test',
    publicRateLimit: options.publicRateLimit ?? 100_000,
    publicCacheMb: 16,
    trustProxy: options.trustProxy ?? null,
    shutdownGraceMs: 10_000,
    metricsToken: options.metricsToken ?? null,
    redisUrl: options.redisUrl ?? null,
    log: { origin: 'registry.test/audit', signingKeyFile: testSigningKeyFile(), signingKeyGenerated: false, checkpointDir: options.checkpointDir ?? mkdtempSync(join(tmpdir(), 'lr_checkpoints_')) },
    // Off unless a test asks for it: the suite's direct writes keep their meaning; production's default (on) is loadConfig's.
    fourEyes: options.fourEyes ?? false,
    proposalTtlDays: options.proposalTtlDays ?? 30,
    publicConditions: options.publicConditions ?? true,
    documentsDir: options.documentsDir ?? mkdtempSync(join(tmpdir(), 'lr_documents_')),
    auth: { jwtSecret: options.jwtSecret ?? 'test-secret-0123456789abcdef0123456789', jwtSecretGenerated: false, tokenTtlSeconds: 900, bootstrapAdmin: options.bootstrapAdmin ?? null },
  };
  let today: string | undefined;
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
  const clock = moduleRef.get(Clock);
  const realToday = clock.today.bind(clock);
  clock.today = () => today ?? realToday();
  const adapter = createAdapter(config);
  const routes: { method: string; url: string }[] = [];
  adapter.getInstance().addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  const app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, { ...NEST_APP_OPTIONS, logger: false });
  await configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const server = app.getHttpServer();
  const staffService = app.get(StaffService);
  const auth = app.get(AuthService);
  const staff = {} as TestApp['staff'];
  for (const role of ['ADMIN', 'OFFICER', 'ANALYST'] as const) {
    if (shared) {
      staff[role] = shared.staff[role];
      continue;
    }
    const user = await staffService.create({ email: `${role.toLowerCase()}@registry.test`, displayName: `Test ${role}`, role, password: TEST_PASSWORD });
    staff[role] = { ...user, token: auth.issue(user).accessToken };
  }
  const agents = new Map<StaffRole, Agent>();
  const as = (role: StaffRole): Agent => {
    if (!agents.has(role)) agents.set(role, request.agent(server).set('Authorization', `Bearer ${staff[role].token}`));
    return agents.get(role)!;
  };
  let added = 0;
  const addStaff = async (role: StaffRole) => {
    const user = await staffService.create({ email: `${role.toLowerCase()}-${++added}-${randomBytes(3).toString('hex')}@registry.test`, displayName: `Test ${role} ${added}`, role, password: TEST_PASSWORD });
    return { ...user, http: request.agent(server).set('Authorization', `Bearer ${auth.issue(user).accessToken}`) };
  };
  return {
    app,
    addStaff,
    http: as('OFFICER'),
    anon: request(server),
    routes,
    database,
    as,
    staff,
    etag: async (path: string) => {
      const res = await as('OFFICER').get(path);
      return res.status === 200 && res.headers.etag ? res.headers.etag : '"1"';
    },
    engine: database.engine,
    setToday: (d) => {
      today = d;
    },
    checkpointDir: config.log.checkpointDir,
    documentsDir: config.documentsDir,
    close: async () => {
      await app.close();
      await drop();
      if (!options.checkpointDir) rmSync(config.log.checkpointDir, { recursive: true, force: true });
      if (!options.documentsDir) rmSync(config.documentsDir, { recursive: true, force: true });
    },
  };
}
