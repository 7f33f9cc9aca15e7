/**
 * Operator commands, `npm run cli -- <command>` (commander): `npm run cli -- --help` lists them, and each has its
 * own `--help` with an example. Wrong arguments print the command's usage and exit 2.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Command, CommanderError } from 'commander';
import { createReadStream, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { isEmail } from 'class-validator';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module.js';
import { AuditService } from '../audit/audit.service.js';
import { splitNotes, verifierKey } from '../audit/log/signed-note.js';
import { loadSigningKey, writeSigningKey } from '../audit/log/signing-key.js';
import { witness } from './witness.js';
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
import { ObligationsService } from '../obligations/obligations.service.js';
import { ProposalsService } from '../proposals/proposals.service.js';
import { ExportsReportQuery } from '../reports/dto/reports.dto.js';
import { exportsCsv } from '../reports/exports-csv.js';
import { ReportsService } from '../reports/reports.service.js';
import { SeedService } from '../seed/seed.service.js';

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

/** A command's help text: what it does, then an example. */
const example = (...lines: string[]) => `\nExample:\n${lines.map((l) => `  $ npm run cli -- ${l}`).join('\n')}\n`;

/** Runs one command line (`argv` without `node` and the script); returns the exit code: 0 done, 1 failed, 2 wrong arguments. */
export async function runCli(argv: string[], config: RegistryConfig, io: CliIo): Promise<number> {
  let code = 0;
  const program = new Command('npm run cli --')
    .description('Operator commands of the License Registry (the database is the one of DATABASE_URL)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.write(text), writeErr: (text) => io.err(text.replace(/\n$/, '')) })
    .showHelpAfterError('(add --help for how to use it)');
  const usage = (command: Command, message: string) => {
    io.err(`${message}\n${command.helpInformation()}`);
    code = 2;
  };

  program
    .command('migration:run')
    .description('apply pending migrations (also done at every start)')
    .addHelpText('after', example('migration:run'))
    .action(async () => {
      code = await migrations(config, io, 'run');
    });
  program
    .command('migration:show')
    .description('say whether any migration is pending')
    .addHelpText('after', example('migration:show'))
    .action(async () => {
      code = await migrations(config, io, 'show');
    });
  program
    .command('seed')
    .description('load the reference data (idempotent: existing records are left alone)')
    .addHelpText('after', example('seed'))
    .action(async () => {
      code = await withContext(config, async (get) => {
        const result = await get(SeedService).seed();
        io.out(`Reference data ${result.version}: created ${JSON.stringify(result.created)} (existing records left as they are)`);
        return 0;
      });
    });
  const createAdmin = program
    .command('create-admin')
    .description('create an ADMIN account; the password is read from stdin (or prompted for, hidden)')
    .requiredOption('--email <email>', 'the e-mail address to sign in with')
    .option('--name <name>', 'the display name', 'Administrator')
    .addHelpText('after', example("create-admin --email chief@pta.example --name 'Chief Officer'"))
    .action(async (options: { email: string; name: string }) => {
      if (!isEmail(options.email)) return usage(createAdmin, `--email: "${options.email}" is not an e-mail address`);
      const password = await io.readSecret(`Password for ${options.email} (12 to 1024 characters): `);
      code = await withContext(config, async (get) => {
        const admin = await get(StaffService).create({ email: options.email, displayName: options.name, role: 'ADMIN', password });
        io.out(`Created ADMIN ${admin.email} (${admin.id})`);
        return 0;
      });
    });
  program
    .command('audit:verify')
    .description('walk the audit hash chain, rebuild the transparency log\'s tree and check it against every signed checkpoint; exit 1 naming every failure')
    .option('--checkpoint <file...>', 'also check against checkpoints kept elsewhere (files of one or more signed notes, e.g. a witness\'s state/checkpoints)')
    .addHelpText('after', example('audit:verify', 'audit:verify --checkpoint /srv/auditor/registry/checkpoints'))
    .action(async (options: { checkpoint?: string[] }) => {
      const checkpoints: { source: string; note: string }[] = [];
      for (const file of options.checkpoint ?? []) {
        let notes: string[];
        try {
          notes = splitNotes(readFileSync(file, 'utf8'));
        } catch (e) {
          return usage(program.commands.find((c) => c.name() === 'audit:verify')!, `--checkpoint ${file}: ${(e as Error).message}`);
        }
        checkpoints.push(...notes.map((note) => ({ source: file, note })));
      }
      code = await withContext(config, async (get) => {
        const result = await get(AuditService).verify({ checkpoints });
        io.out(JSON.stringify(result));
        for (const f of result.failures) io.err(f.kind === 'chain' ? `Audit chain broken at event ${f.seq}: ${f.problem}` : f.kind === 'register' ? `Register disagrees with audit event ${f.seq}: ${f.problem}` : `Audit log contradicted${f.seq ? ` at ${f.seq} events` : ''}: ${f.problem}`);
        const unlisted = result.failuresTotal - result.failures.length;
        if (unlisted > 0) io.err(`... and ${unlisted} more events that do not verify`);
        return result.ok ? 0 : 1;
      });
    });
  program
    .command('proposals:lapse')
    .description('record, in the audit trail, the lapse of every proposal not decided by its last day (PROPOSAL_TTL_DAYS); run it daily')
    .addHelpText('after', example('proposals:lapse'))
    .action(async () => {
      code = await withContext(config, async (get) => {
        const lapsed = await get(ProposalsService).recordLapses();
        io.out(`Recorded the lapse of ${lapsed} ${lapsed === 1 ? 'proposal' : 'proposals'} not decided by their last day`);
        return 0;
      });
    });
  program
    .command('obligations:create')
    .description("create the license conditions each license lacks: those of the catalog version in force on its issue date, dated from it; recurring reports up to its current term's end (after a renewal, the further periods). Idempotent; audited")
    .addHelpText('after', example('obligations:create'))
    .action(async () => {
      code = await withContext(config, async (get) => {
        const created = await get(ObligationsService).createMissing();
        io.out(`Created ${created} ${created === 1 ? 'obligation' : 'obligations'}`);
        return 0;
      });
    });
  program
    .command('log:witness')
    .description("witness a registry's transparency log: check its latest checkpoint's signature and that it extends the one kept in --state; exit 1 when it does not")
    .requiredOption('--url <url>', 'the registry\'s public address')
    .requiredOption('--state <dir>', 'where the witness keeps the log\'s key and the checkpoints it accepted')
    .addHelpText('after', example('log:witness --url https://registry.pta.example --state /srv/auditor/registry'))
    .action(async (options: { url: string; state: string }) => {
      const result = await witness(options.url, options.state);
      for (const line of result.lines) (result.ok ? io.out : io.err)(line);
      code = result.ok ? 0 : 1;
    });
  program
    .command('log:keygen')
    .description('write a new Ed25519 signing key for the transparency log (PKCS#8 PEM, owner-only) for LOG_SIGNING_KEY_FILE; never over an existing file')
    .argument('<file>', 'where to write it')
    .addHelpText('after', example('log:keygen /etc/license-registry/log-signing-key.pem'))
    .action((file: string) => {
      if (!writeSigningKey(file)) {
        io.err(`${file} already exists: not replaced`);
        code = 1;
        return;
      }
      const key = loadSigningKey({ ...config.log, signingKeyFile: file, signingKeyGenerated: false }, () => undefined);
      io.out(`Wrote ${file}; its verifier key for LOG_ORIGIN=${config.log.origin}: ${verifierKey(config.log.origin, key)}`);
    });
  program
    .command('backup')
    .description("a proven backup: SQLite's online backup, then the copy's integrity_check and audit chain; PostgreSQL: pg_dump (custom format). Exit 1 when it does not verify")
    .requiredOption('--to <file>', 'where to write it')
    .addHelpText('after', example('backup --to /var/backups/registry-$(date +%F).sqlite'))
    .action(async (options: { to: string }) => {
      code = await backupOrRestore(config, io, 'backup', options.to);
    });
  program
    .command('restore')
    .description('restore a backup into the empty database of DATABASE_URL (a new SQLite file or PostgreSQL database); refuses one that holds data')
    .requiredOption('--from <file>', 'the backup')
    .addHelpText('after', example('restore --from /var/backups/registry-2026-11-30.sqlite   # with DATABASE_URL=sqlite:data/restored.sqlite'))
    .action(async (options: { from: string }) => {
      code = await backupOrRestore(config, io, 'restore', options.from);
    });
  program
    .command('openapi')
    .description('print the OpenAPI 3 document (the one served at /docs-json)')
    .addHelpText('after', example('openapi > openapi.json   # with npm run --silent'))
    .action(async () => {
      // An in-memory database: the document depends only on the code.
      const app = await createApp({ ...config, database: { engine: 'sqlite', path: ':memory:' }, seed: false, logLevel: 'silent' });
      try {
        const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs-json' });
        io.out(JSON.stringify(JSON.parse(res.body), null, 2));
      } finally {
        await app.close();
      }
    });
  const importShipments = program
    .command('import')
    .description('import CSV files, as POST /api/v1/imports does')
    .command('shipments')
    .description('import a shipments CSV (and its IMEIs) like POST /api/v1/imports/shipments: all rows or none')
    .argument('<file>', 'the shipments CSV')
    .option('--imeis <file>', 'the companion CSV of IMEIs (imei,reference)')
    .option('--mode <mode>', 'validate: a dry run that writes nothing; commit', 'commit')
    .option('--charset <charset>', "the files' charset (e.g. windows-1252); UTF-8 by default")
    .addHelpText('after', example('import shipments exports-2021.csv --imeis imeis-2021.csv --mode validate'))
    .action(async (file: string, options: { imeis?: string; mode: string; charset?: string }) => {
      if (options.mode !== 'validate' && options.mode !== 'commit') return usage(importShipments, `--mode: "${options.mode}" is not validate or commit`);
      const charset = options.charset === undefined ? undefined : csvEncoding(options.charset);
      if (options.charset !== undefined && !charset) {
        return usage(importShipments, `--charset: CSV files in the charset "${options.charset}" cannot be read; name one such as utf-8 or windows-1252`);
      }
      const mode = options.mode;
      code = await withContext(config, async (get) => {
        const imeis = options.imeis;
        const report = await get(ImportsService).importShipments(mode, {
          shipments: { name: basename(file), charset, open: () => createReadStream(file) },
          imeis: imeis ? { name: basename(imeis), charset, open: () => createReadStream(imeis) } : undefined,
        });
        io.out(JSON.stringify(report, null, 2));
        if (report.outcome === 'REJECTED') io.err(`Rejected: ${report.rowsFailed} bad rows, ${report.imeis.failed} bad IMEIs; nothing was written`);
        return report.outcome === 'REJECTED' ? 1 : 0;
      });
    });
  program
    .command('report:verify-rollup')
    .description('recompute the export rollup from the shipments and list every difference (exit 1 when any)')
    .option('--rebuild', 'then replace it with the recomputation')
    .addHelpText('after', example('report:verify-rollup --rebuild'))
    .action(async (options: { rebuild?: boolean }) => {
      code = await verifyRollupCommand(config, io, options.rebuild === true);
    });
  const exportsReport = program
    .command('report')
    .description('reports, as GET /api/v1/reports does')
    .command('exports')
    .description('the export report of GET /api/v1/reports/exports, to stdout or a file')
    .option('--group-by <dimensions>', 'comma-separated: month, quarter, year, fiscalYear, destination, company, license, deviceCategory, technology, hsCode')
    .option('--from <date>', 'first day, YYYY-MM-DD')
    .option('--to <date>', 'last day, YYYY-MM-DD')
    .option('--company-id <id>', 'one exporter')
    .option('--destination <code>', 'one destination country (ISO 3166-1 alpha-2)')
    .option('--device-category <category>', 'one device category')
    .option('--format <format>', 'json or csv')
    .option('--bom', 'CSV with a byte order mark (for Excel)')
    .option('--output <file>', 'write to this file instead of stdout')
    .addHelpText('after', example('report exports --group-by fiscalYear,destination --from 2021-07-01 --to 2022-06-30 --format csv --output fy2021-22.csv'))
    .action(async (options: Record<string, string | boolean | undefined>) => {
      // The same validation as the HTTP query (ExportsReportQuery), so the CLI refuses what the API refuses.
      const query = plainToInstance(ExportsReportQuery, {
        groupBy: options.groupBy,
        from: options.from,
        to: options.to,
        companyId: options.companyId,
        destination: options.destination,
        deviceCategory: options.deviceCategory,
        format: options.format,
        bom: options.bom === undefined ? undefined : String(options.bom),
      });
      const errors = flattenValidationErrors(await validate(query, { whitelist: true, forbidNonWhitelisted: true }));
      if (errors.length) return usage(exportsReport, errors.map((e) => `${e.field}: ${e.message}`).join('\n'));
      code = await exportsCommand(config, io, query, typeof options.output === 'string' ? options.output : undefined);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    // --help and --version are answers; anything else (an unknown command or option, a missing value) is a usage error.
    return e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version' ? 0 : 2;
  }
  return code;
}

async function migrations(config: RegistryConfig, io: CliIo, what: 'run' | 'show'): Promise<number> {
  const ds = await new DataSource(buildDataSourceOptions(config.database)).initialize();
  try {
    if (what === 'run') {
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

async function backupOrRestore(config: RegistryConfig, io: CliIo, command: 'backup' | 'restore', file: string): Promise<number> {
  // A backup is proven against the checkpoints inside it: the checkpoint file may already hold later ones (issued
  // while the copy was made), and after a restore from an older backup audit:verify names the events lost since.
  const verifyAudit = (database: RegistryConfig['database']) => withContext({ ...config, database }, (get) => get(AuditService).verify({ checkpointFile: false }));
  const result = command === 'backup' ? await backup(config.database, file, verifyAudit) : await restore(config.database, file, verifyAudit);
  for (const line of result.lines) (result.ok ? io.out : io.err)(line);
  return result.ok ? 0 : 1;
}

async function verifyRollupCommand(config: RegistryConfig, io: CliIo, rebuild: boolean): Promise<number> {
  return withContext(config, async (get) => {
    const { cells, differences } = await verifyRollup(get(DataSource).manager);
    io.out(JSON.stringify({ ok: differences.length === 0, cells, differences: differences.length, first: differences.slice(0, 20) }, null, 2));
    if (differences.length && rebuild) {
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

async function exportsCommand(config: RegistryConfig, io: CliIo, query: ExportsReportQuery, output: string | undefined): Promise<number> {
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
    if (output) {
      await writeFile(output, text);
      io.err(`Wrote ${report.rows.length} rows to ${output}`);
    } else {
      io.write(text);
    }
    return 0;
  });
}
