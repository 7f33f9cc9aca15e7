import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/commands.js';
import { loadConfig, type DatabaseConfig } from '../../src/config/config.js';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source.options.js';
import { TransparencyLog } from '../../src/audit/log/transparency-log.js';
import { createDatabase, startApp, type TestApp, testLogEnv } from '../support/app.js';
import { makeLicense } from '../support/factories.js';

const urlOf = (database: DatabaseConfig) => (database.engine === 'sqlite' ? `sqlite:${database.path}` : database.url);

/** `backup` and `restore` on the running registry's database, as an operator runs them (both engines). */
describe('backups that are proven', () => {
  let t: TestApp;
  const file = join(tmpdir(), `lr-backup-${process.pid}-${Date.now()}.bak`);
  const cli = async (args: string[], database: DatabaseConfig) => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), write: (l: string) => lines.push(l), err: (l: string) => lines.push(l), readSecret: async () => '' };
    // The running registry's checkpoint file, as on a server where the CLI runs beside it.
    const code = await runCli(args, loadConfig({ DATABASE_URL: urlOf(database), SEED: 'false', LOG_LEVEL: 'silent', ...testLogEnv(), LOG_CHECKPOINT_DIR: t.checkpointDir }), io);
    return { code, text: lines.join('\n') };
  };
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t?.close();
    rmSync(file, { force: true });
  });

  it('backup while the registry runs, more writes, restore into a new database: the data as it was, the audit chain verifying', async () => {
    const license = await makeLicense(t, { licenseNumber: 'BACKUP-1' });
    await t.app.get(TransparencyLog).issue();
    const before = (await t.http.get('/api/v1/companies').expect(200)).body;
    const made = await cli(['backup', '--to', file], t.database);
    expect(made, made.text).toMatchObject({ code: 0 });
    if (t.database.engine === 'sqlite') expect(made.text).toMatch(/integrity_check: ok[\s\S]*audit chain: ok/);
    await makeLicense(t, { licenseNumber: 'BACKUP-2' }); // after the backup
    const later = await t.app.get(TransparencyLog).issue(); // a checkpoint the backup does not reach

    const target = await createDatabase();
    try {
      const restored = await cli(['restore', '--from', file], target.database);
      expect(restored, restored.text).toMatchObject({ code: 0 });
      expect(restored.text).toMatch(/audit chain: ok/);
      const restoredDb = await new DataSource({ ...buildDataSourceOptions(target.database, 'reader'), entities: [], migrations: [] }).initialize();
      try {
        const ids = (await restoredDb.query('SELECT id FROM companies ORDER BY legal_name_key')).map((c: { id: string }) => c.id);
        expect(ids).toEqual(before.items.map((c: { id: string }) => c.id));
        expect(await restoredDb.query('SELECT license_number AS "licenseNumber" FROM licenses ORDER BY license_number')).toEqual([{ licenseNumber: 'BACKUP-1' }]);
        expect(license.licenseNumber).toBe('BACKUP-1');
      } finally {
        await restoredDb.destroy();
      }
      // The backup and the restore were proven against the checkpoints inside the backup; the checkpoint file
      // knows the events written after it, and audit:verify names them as lost.
      const verified = await cli(['audit:verify'], target.database);
      expect(verified.code, verified.text).toBe(1);
      expect(verified.text).toMatch(new RegExp(`the checkpoint of size ${later!.size} \\(checkpoint file\\) was signed over ${later!.size}: events \\d+..${later!.size} were removed`));
    } finally {
      await target.drop();
    }
  }, 120_000);

  it('refuses to restore into a database that holds data, and needs its file argument', async () => {
    const refused = await cli(['restore', '--from', file], t.database);
    expect(refused.code).toBe(1);
    expect(refused.text).toMatch(/not empty/);
    expect((await cli(['backup'], t.database)).code).toBe(2);
  });
});
