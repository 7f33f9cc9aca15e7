/**
 * Operator commands, `npm run cli -- <command>`:
 *   migration:run                      apply pending migrations (also done at every start)
 *   migration:show                     are any pending?
 *   seed                               load the reference data (idempotent)
 *   create-admin --email E [--name N]  create an ADMIN; the password is read from stdin (or prompted for)
 *   audit:verify                       walk the audit hash chain; exit 1 naming every event that does not verify
 *   openapi                            print the OpenAPI 3 document (the one served at /docs-json)
 *   report exports [--group-by D,D] [--from DATE] [--to DATE] [--company-id ID] [--destination CC]
 *                  [--device-category C] [--format json|csv] [--bom] [--output FILE]
 *                                      the export report of GET /api/v1/reports/exports, to stdout or a file
 *   import shipments FILE [--imeis FILE] [--mode validate|commit] [--charset C]
 *                                      import a shipments CSV (and its IMEIs) like POST /api/v1/imports/shipments;
 *                                      --charset: the files' charset (e.g. windows-1252), UTF-8 by default
 *   report:verify-rollup [--rebuild]   recompute the export rollup from the shipments and list every difference
 *                                      (exit 1 when any); --rebuild then replaces it with the recomputation
 *   backup --to FILE                   a backup, proven: SQLite online backup + integrity_check + the audit chain
 *                                      of the copy; PostgreSQL pg_dump (custom format); exit 1 when it does not verify
 *   restore --from FILE                restore a backup into the (empty) database of DATABASE_URL; refuses one with data
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { isEmail } from 'class-validator';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module.js';
import { AuditService } from '../audit/audit.service.js';
import { backup, restore } from './backup.js';
import { StaffService } from '../auth/staff.service.js';
import { createApp } from '../bootstrap.js';
import type { RegistryConfig } from '../config/config.js';
import { buildDataSourceOptions } from '../database/data-source.options.js';
import { flattenValidationErrors } from '../common/validation/validation.js';
import { csvEncoding } from '../imports/csv-decoding.js';
import { ImportsService } from '../imports/imports.service.js';
import { DataVersions } from '../database/data-versions.js';
import { Transactions } from '../database/transactions.js';
import { rebuildRollup, verifyRollup } from '../shipments/export-rollup.js';
import { ExportsReportQuery } from '../reports/dto/reports.dto.js';
import { exportsCsv } from '../reports/exports-csv.js';
import { ReportsService } from '../reports/reports.service.js';
import { SeedService } from '../seed/seed.service.js';

export const USAGE =
  'usage: npm run cli -- migration:run | migration:show | seed | create-admin --email E [--name N] | audit:verify | openapi | ' +
  'import shipments FILE [--imeis FILE] [--mode validate|commit] [--charset C] | report:verify-rollup [--rebuild] | backup --to FILE | restore --from FILE | report exports [--group-by D,D] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--company-id ID] [--destination CC] [--device-category C] [--format json|csv] [--bom] [--output FILE]';

export interface CliIo {
  out: (line: string) => void;
  /** Raw output (no newline added). */
  write: (text: string) => void;
  err: (line: string) => void;
  /** The password for create-admin. */
  readSecret: (prompt: string) => Promise<string>;
}

/** Runs with the registry's modules, without HTTP. */
async function withContext<T>(config: RegistryConfig, work: (get: <S>(token: new (...args: never[]) => S) => S) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot({ ...config, seed: false, auth: { ...config.auth, bootstrapAdmin: null } }),
    { logger: ['error', 'warn'] },
  );
  try {
    return await work((token) => app.get(token));
  } finally {
    await app.close();
  }
}

/** Runs one command; returns the exit code. */
export async function runCli(argv: string[], config: RegistryConfig, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'migration:run':
    case 'migration:show': {
      const ds = await new DataSource(buildDataSourceOptions(config.database)).initialize();
      try {
        if (command === 'migration:run') {
          const ran = await ds.runMigrations({ transaction: 'each' });
          io.out(ran.length ? `Applied: ${ran.map((m) => m.name).join(', ')}` : 'No pending migrations');
        } else {
          io.out((await ds.showMigrations()) ? 'There are pending migrations' : 'All migrations have run');
        }
      } finally {
        await ds.destroy();
      }
      return 0;
    }
    case 'seed':
      return withContext(config, async (get) => {
        const result = await get(SeedService).seed();
        io.out(`Reference data ${result.version}: created ${JSON.stringify(result.created)} (existing records left as they are)`);
        return 0;
      });
    case 'create-admin': {
      const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, name: { type: 'string' } } });
      if (!values.email || !isEmail(values.email)) {
        io.err('create-admin needs --email with an e-mail address');
        return 2;
      }
      const password = await io.readSecret(`Password for ${values.email} (12 to 1024 characters): `);
      return withContext(config, async (get) => {
        const admin = await get(StaffService).create({ email: values.email!, displayName: values.name ?? 'Administrator', role: 'ADMIN', password });
        io.out(`Created ADMIN ${admin.email} (${admin.id})`);
        return 0;
      });
    }
    case 'backup':
    case 'restore': {
      const flag = command === 'backup' ? 'to' : 'from';
      const { values } = parseArgs({ args: rest, options: { [flag]: { type: 'string' } }, strict: true });
      const file = values[flag];
      if (typeof file !== 'string' || !file) {
        io.err(`usage: npm run cli -- ${command} --${flag} FILE`);
        return 2;
      }
      const verifyAudit = (database: RegistryConfig['database']) => withContext({ ...config, database }, (get) => get(AuditService).verify());
      const result = command === 'backup' ? await backup(config.database, file, verifyAudit) : await restore(config.database, file, verifyAudit);
      for (const line of result.lines) (result.ok ? io.out : io.err)(line);
      return result.ok ? 0 : 1;
    }
    case 'audit:verify':
      return withContext(config, async (get) => {
        const result = await get(AuditService).verify();
        io.out(JSON.stringify(result));
        for (const f of result.failures) io.err(`Audit chain broken at event ${f.seq}: ${f.problem}`);
        const unlisted = result.failuresTotal - result.failures.length;
        if (unlisted > 0) io.err(`... and ${unlisted} more events that do not verify`);
        return result.ok ? 0 : 1;
      });
    case 'openapi': {
      // An in-memory database: the document depends only on the code.
      const app = await createApp({ ...config, database: { engine: 'sqlite', path: ':memory:' }, seed: false, logLevel: 'silent' });
      try {
        const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs-json' });
        io.out(JSON.stringify(JSON.parse(res.body), null, 2));
      } finally {
        await app.close();
      }
      return 0;
    }
    case 'import': {
      const [kind, ...args] = rest;
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { imeis: { type: 'string' }, mode: { type: 'string' }, charset: { type: 'string' } } });
      const mode = values.mode ?? 'commit';
      if (kind !== 'shipments' || positionals.length !== 1 || (mode !== 'validate' && mode !== 'commit')) {
        io.err(USAGE);
        return 2;
      }
      const charset = values.charset === undefined ? undefined : csvEncoding(values.charset);
      if (values.charset !== undefined && !charset) {
        io.err(`--charset: CSV files in the charset "${values.charset}" cannot be read; name one such as utf-8 or windows-1252`);
        return 2;
      }
      const [file] = positionals;
      return withContext(config, async (get) => {
        const imeis = values.imeis;
        const report = await get(ImportsService).importShipments(mode, {
          shipments: { name: basename(file), charset, open: () => createReadStream(file) },
          imeis: imeis ? { name: basename(imeis), charset, open: () => createReadStream(imeis) } : undefined,
        });
        io.out(JSON.stringify(report, null, 2));
        if (report.outcome === 'REJECTED') io.err(`Rejected: ${report.rowsFailed} bad rows, ${report.imeis.failed} bad IMEIs; nothing was written`);
        return report.outcome === 'REJECTED' ? 1 : 0;
      });
    }
    case 'report:verify-rollup': {
      const { values } = parseArgs({ args: rest, options: { rebuild: { type: 'boolean' } } });
      return withContext(config, async (get) => {
        const { cells, differences } = await verifyRollup(get(DataSource).manager);
        io.out(JSON.stringify({ ok: differences.length === 0, cells, differences: differences.length, first: differences.slice(0, 20) }, null, 2));
        if (differences.length && values.rebuild) {
          await get(Transactions).run(async (m) => {
            await rebuildRollup(m);
            await get(DataVersions).bump(m, ['exports']);
          });
          io.err(`Rebuilt the export rollup from the shipments (${differences.length} cells differed)`);
          return 0;
        }
        if (differences.length) io.err(`The export rollup differs from the shipments in ${differences.length} cells; run again with --rebuild to repair it`);
        return differences.length ? 1 : 0;
      });
    }
    case 'report': {
      const [kind, ...args] = rest;
      if (kind !== 'exports') {
        io.err(USAGE);
        return 2;
      }
      const { values } = parseArgs({
        args,
        options: {
          'group-by': { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          'company-id': { type: 'string' },
          destination: { type: 'string' },
          'device-category': { type: 'string' },
          format: { type: 'string' },
          bom: { type: 'boolean' },
          output: { type: 'string' },
        },
      });
      // The same validation as the HTTP query (ExportsReportQuery), so the CLI refuses what the API refuses.
      const query = plainToInstance(ExportsReportQuery, {
        groupBy: values['group-by'],
        from: values.from,
        to: values.to,
        companyId: values['company-id'],
        destination: values.destination,
        deviceCategory: values['device-category'],
        format: values.format,
        bom: values.bom === undefined ? undefined : String(values.bom),
      });
      const errors = flattenValidationErrors(await validate(query, { whitelist: true, forbidNonWhitelisted: true }));
      if (errors.length) {
        for (const e of errors) io.err(`${e.field}: ${e.message}`);
        return 2;
      }
      return withContext(config, async (get) => {
        const report = await get(ReportsService).exports({ ...query, groupBy: query.groupBy ?? ['month'] });
        let text: string;
        if (query.format === 'csv') {
          const chunks: Buffer[] = [];
          for await (const chunk of exportsCsv(report, 'exports', { bom: query.bom }).getStream()) chunks.push(Buffer.from(chunk));
          text = Buffer.concat(chunks).toString('utf8');
        } else {
          text = `${JSON.stringify(report, null, 2)}\n`;
        }
        if (values.output) {
          await writeFile(values.output, text);
          io.err(`Wrote ${report.rows.length} rows to ${values.output}`);
        } else {
          io.write(text);
        }
        return 0;
      });
    }
    default:
      io.err(USAGE);
      return 2;
  }
}
