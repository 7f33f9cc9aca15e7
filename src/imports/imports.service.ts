import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CsvError, parse } from 'csv-parse';
import { type EntityManager, In, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { IdempotencyKey } from '../common/idempotency-key.entity.js';
import { violatedUniqueIndex } from '../common/problem.filter.js';
import { normaliseImei } from '../common/imei.js';
import { type Page, pageOf, PageQuery } from '../common/pagination.js';
import { ProblemException } from '../common/problem.js';
import { unavailability } from '../common/unavailable.js';
import { timeSlicer } from '../common/cooperative.js';
import { currentContext } from '../common/request-context.js';
import { flattenValidationErrors } from '../common/validation/validation.js';
import { bulkInsert } from '../database/bulk-insert.js';
import { Snapshots } from '../database/snapshots.js';
import { Transactions } from '../database/transactions.js';
import { LicensesService } from '../licenses/licenses.service.js';
import type { LicenseWithSteps } from '../licenses/register.reader.js';
import { CreateShipmentDto } from '../shipments/dto/shipment.dto.js';
import { Device } from '../shipments/device.entity.js';
import { FileShipments } from './file-shipments.js';
import { Shipment } from '../shipments/shipment.entity.js';
import { ShipmentsService } from '../shipments/shipments.service.js';
import { parseDate, parseMoney, parseUnits } from './csv-values.js';
import { ImportRun } from './import-run.entity.js';
import { MAX_FILE_BYTES, STALL_SECONDS, UploadError } from './upload-spool.js';

/** The columns of a shipments CSV: the API's field names, in any order. */
export const SHIPMENT_COLUMNS = ['licenseNumber', 'reference', 'shippedOn', 'destinationCountry', 'units', 'deviceCategory', 'technology', 'brand', 'model', 'hsCode', 'fobValue'] as const;
export const REQUIRED_COLUMNS = ['licenseNumber', 'reference', 'shippedOn', 'destinationCountry', 'units', 'deviceCategory'] as const;
/** The companion file: one device a line. */
export const IMEI_COLUMNS = ['imei', 'reference'] as const;

/** Rows handled together: shipments (each checked), and IMEI lines (cheap, so more at a time). */
const BATCH = { shipments: 500, imeis: 5000 } as const;
/** Errors listed in a report (all are counted). */
const MAX_REPORTED_ERRORS = 1000;

export interface ImportFile {
  name: string | null;
  /** A stream of its bytes, opened when the import reads it (an import may end before it reads its IMEI file). */
  open: () => NodeJS.ReadableStream;
  /** The file's SHA-256 when already known (an upload received whole): an Idempotency-Key is then settled before the transaction. */
  sha256?: string;
}

/** The files of one import: the shipments CSV and, optionally, its IMEI companion. */
export interface ImportFiles {
  shipments: ImportFile;
  imeis?: ImportFile;
}

export interface ImportError {
  file: 'shipments' | 'imeis';
  /** The row as a spreadsheet numbers it: the header is row 1. */
  row: number;
  column: string;
  message: string;
}

export interface ImportReport {
  importId: string;
  mode: 'validate' | 'commit';
  outcome: 'COMMITTED' | 'REJECTED' | 'VALIDATED';
  fileName: string | null;
  fileSha256: string;
  rowsRead: number;
  rowsValid: number;
  rowsCreated: number;
  rowsSkipped: number;
  rowsFailed: number;
  imeis: { read: number; created: number; skipped: number; failed: number };
  errors: ImportError[];
  errorsTruncated: boolean;
}

class Rollback extends Error {}

/** This process, as an import's runner: host/pid. */
const RUNNER = `${hostname()}/${process.pid}`;

function isRunning(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A short reason for a FAILED run: the problem's detail, or the database error's code (never its text). */
function describeFailure(e: unknown): string {
  const unavailable = unavailability(e);
  if (unavailable) return unavailable.detail;
  const code = (e as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (e as { code?: string }).code;
  return `database error${code ? ` ${code}` : ''}: nothing was written`;
}

/** The import was committed before under the same Idempotency-Key with the same files: its first report. */
class Replay extends Error {
  constructor(readonly report: ImportReport) {
    super('replay');
  }
}

const keyHash = (shipments: string, imeis: string | null) => createHash('sha256').update(`POST /api/v1/imports/shipments\n${shipments}\n${imeis ?? ''}`).digest('hex');
const keyReused = (key: string) =>
  new ProblemException(422, 'IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${key} was already used for an import of other files; use a new key`);


/**
 * CSV import of shipments (and their IMEIs). Each row goes through the same validation (CreateShipmentDto) and
 * the same rules (ShipmentsService.prepare) as POST /api/v1/shipments. The file is streamed (csv-parse) and
 * written in batches inside one transaction: all rows or nothing. `validate` runs the very same work and rolls
 * it back. Rows are keyed by (exporter, reference): an identical stored row is skipped, a different one is an
 * error. Memory stays flat in the file size: only a batch, the license cache and the first errors are held.
 */
@Injectable()
export class ImportsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Imports');
  /** Imports yield to other requests every few milliseconds (all imports share it: one event loop). */
  private readonly slicer = timeSlicer();

  constructor(
    @InjectRepository(ImportRun) private readonly runs: Repository<ImportRun>,
    private readonly shipments: ShipmentsService,
    private readonly licenses: LicensesService,
    private readonly tx: Transactions,
    private readonly snapshots: Snapshots,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Imports a shipments CSV (and its IMEI file, if any). With an `idempotencyKey`, a committed import is
   * remembered by its files' SHA-256: the same key and files again return the first report (`replayed`), the
   * same key with other files is a 422; when the files' SHA-256 are known, both are decided before any write.
   * The run is listed (GET /api/v1/imports) from its start: RUNNING, then its outcome; a database error makes it
   * FAILED (and is thrown on), a stopped process INTERRUPTED (markInterrupted, at the next start).
   */
  async importShipments(mode: 'validate' | 'commit', files: ImportFiles, options: { idempotencyKey?: string } = {}): Promise<ImportReport & { replayed?: boolean }> {
    const shipmentsFile = files.shipments;
    if (options.idempotencyKey && shipmentsFile.sha256 && (!files.imeis || files.imeis.sha256)) {
      const prior = await this.priorKey(options.idempotencyKey);
      if (prior?.requestHash === keyHash(shipmentsFile.sha256, files.imeis?.sha256 ?? null) && prior.responseBody) return { ...JSON.parse(prior.responseBody), replayed: true };
      if (prior) throw keyReused(options.idempotencyKey);
    }
    const startedAt = this.clock.now();
    const report: ImportReport = {
      importId: randomUUID(),
      mode,
      outcome: 'REJECTED',
      fileName: shipmentsFile.name,
      fileSha256: '',
      rowsRead: 0,
      rowsValid: 0,
      rowsCreated: 0,
      rowsSkipped: 0,
      rowsFailed: 0,
      imeis: { read: 0, created: 0, skipped: 0, failed: 0 },
      errors: [],
      errorsTruncated: false,
    };
    let errorCount = 0;
    const fail = (e: ImportError) => {
      errorCount++;
      if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(e);
      else report.errorsTruncated = true;
    };
    let imeisSha256: string | null = null;
    // Every shipment this import creates carries this exact createdAt: the IMEI check finds them by it.
    const stamp = startedAt;
    await this.tx.run((m) =>
      m.insert(ImportRun, {
        ...this.runRecord(report, mode, null, startedAt),
        outcome: 'RUNNING',
        fileSha256: shipmentsFile.sha256 ?? '',
        imeisFileSha256: files.imeis?.sha256 ?? null,
        finishedAt: null,
        runner: RUNNER,
      }),
    );

    try {
      await this.tx.run(async (m) => {
        const cache = new Map<string, Promise<LicenseWithSteps>>();
        // The shipments of this file by reference (the IMEI file may name only these): a few dozen bytes a row.
        const inFile = new FileShipments();
        const lookup = (ref: { licenseId?: string; licenseNumber?: string }) => {
          const key = (ref.licenseNumber ?? ref.licenseId ?? '').trim().toUpperCase();
          if (!cache.has(key)) cache.set(key, this.licenses.lifecycle(ref, m));
          return cache.get(key)!;
        };
        report.fileSha256 = await this.readCsv(shipmentsFile.open(), 'shipments', SHIPMENT_COLUMNS, REQUIRED_COLUMNS, fail, async (rows) => {
          report.rowsRead += rows.length;
          const stats = await this.shipmentBatch(m, rows, lookup, stamp, fail, inFile, report.importId);
          report.rowsValid += stats.valid;
          report.rowsCreated += stats.created;
          report.rowsSkipped += stats.skipped;
          report.rowsFailed += rows.length - stats.valid;
        });
        const imeiFile = files.imeis;
        if (imeiFile) {
          // PostgreSQL plans the IMEI lookups with the statistics of the tables as they were before this
          // import; refreshed, it uses the reference index instead of scanning the new shipments each time.
          if (this.tx.engine === 'postgres') await m.query('ANALYZE shipments');
          imeisSha256 = await this.readCsv(imeiFile.open(), 'imeis', IMEI_COLUMNS, IMEI_COLUMNS, fail, async (rows) => {
            report.imeis.read += rows.length;
            const stats = await this.imeiBatch(m, rows, fail, inFile);
            report.imeis.created += stats.created;
            report.imeis.skipped += stats.skipped;
            report.imeis.failed += rows.length - stats.created - stats.skipped;
          });
          await this.checkDeviceCounts(m, inFile, fail);
        }
        if (errorCount > 0 || mode === 'validate') throw new Rollback();
        report.outcome = 'COMMITTED';
        if (options.idempotencyKey) await this.rememberKey(m, options.idempotencyKey, keyHash(report.fileSha256, imeisSha256), report);
        await this.audit.record(m, {
          action: 'import.committed',
          entityType: 'import',
          entityId: report.importId,
          after: { fileName: report.fileName, fileSha256: report.fileSha256, imeisFileSha256: imeisSha256, rowsCreated: report.rowsCreated, rowsSkipped: report.rowsSkipped, imeisCreated: report.imeis.created },
        });
      });
    } catch (e) {
      const index = violatedUniqueIndex(e);
      if (!(e instanceof Replay || e instanceof Rollback || e instanceof UploadError || index !== undefined)) {
        // A database error (or a fault): nothing was written; the run says so, and the error goes on.
        await this.finishRun(report, mode, imeisSha256, startedAt, 'FAILED', describeFailure(e)).catch(() => undefined);
        throw e;
      }
      // A replay is the first import's answer, not an import of its own: its run is not kept.
      const dropRun = () => this.tx.run((m) => m.delete(ImportRun, { id: report.importId }));
      if (e instanceof Replay) {
        await dropRun();
        return { ...e.report, replayed: true };
      }
      if (e instanceof UploadError) {
        await this.finishRun(report, mode, imeisSha256, startedAt, 'REJECTED', e.detail);
        throw e;
      }
      if (index !== undefined && options.idempotencyKey) {
        // The same key committed by a concurrent request meanwhile: answer as that one did (or 422).
        const prior = await this.priorKey(options.idempotencyKey);
        if (prior?.requestHash === keyHash(report.fileSha256, imeisSha256) && prior.responseBody) {
          await dropRun();
          return { ...JSON.parse(prior.responseBody), replayed: true };
        }
        if (prior) {
          report.outcome = 'REJECTED';
          await this.finishRun(report, mode, imeisSha256, startedAt, 'REJECTED', `Idempotency-Key ${options.idempotencyKey} was used for other files`);
          throw keyReused(options.idempotencyKey);
        }
      }
      if (index !== undefined) {
        // Another import or request stored the same shipments at the same moment; importing again will skip them.
        fail({ file: 'shipments', row: 0, column: 'reference', message: 'another import or request recorded some of these shipments at the same time; nothing was written: import the file again' });
      } else if (!(e instanceof Rollback)) throw e;
      report.outcome = mode === 'validate' && errorCount === 0 ? 'VALIDATED' : 'REJECTED';
    }
    if (errorCount > report.errors.length) report.errorsTruncated = true;
    if (report.outcome !== 'COMMITTED') {
      report.rowsCreated = 0;
      report.imeis.created = 0;
    }
    await this.finishRun(report, mode, imeisSha256, startedAt, report.outcome, null);
    return report;
  }

  /** The run's row as the report stands. */
  private runRecord(report: ImportReport, mode: 'validate' | 'commit', imeisSha256: string | null, startedAt: Date): Omit<ImportRun, 'outcome' | 'finishedAt' | 'failure' | 'runner'> {
    return {
      id: report.importId,
      kind: 'shipments',
      mode,
      actorId: currentContext().actorId,
      fileName: report.fileName,
      fileSha256: report.fileSha256,
      imeisFileSha256: imeisSha256,
      rowsRead: report.rowsRead,
      rowsValid: report.rowsValid,
      rowsCreated: report.outcome === 'COMMITTED' ? report.rowsCreated : 0,
      rowsSkipped: report.rowsSkipped,
      rowsFailed: report.rowsFailed,
      imeisCreated: report.outcome === 'COMMITTED' ? report.imeis.created : 0,
      errors: report.errors.slice(0, 100),
      startedAt,
    };
  }

  /** Ends the run's row (RUNNING until now) with its outcome. */
  private async finishRun(report: ImportReport, mode: 'validate' | 'commit', imeisSha256: string | null, startedAt: Date, outcome: ImportRun['outcome'], failure: string | null): Promise<void> {
    const { id, ...fields } = this.runRecord(report, mode, imeisSha256, startedAt);
    await this.tx.run((m) => m.update(ImportRun, { id }, { ...fields, outcome, failure, finishedAt: this.clock.now() }));
  }

  /** The stored Idempotency-Key of this staff member's earlier import, if any (committed imports only store one). */
  private priorKey(key: string): Promise<IdempotencyKey | null> {
    return this.runs.manager.findOne(IdempotencyKey, { where: { actorId: currentContext().actorId ?? 'anonymous', key } });
  }

  async onApplicationBootstrap(): Promise<void> {
    const interrupted = await this.markInterrupted();
    if (interrupted) this.logger.warn(`${interrupted} import(s) were cut off when their process stopped; listed as INTERRUPTED`);
  }

  /**
   * Marks INTERRUPTED the runs left RUNNING by processes of this host that no longer run (a crash, a kill):
   * their transaction ended with them, so nothing of theirs was written. Run at start; returns how many.
   */
  async markInterrupted(): Promise<number> {
    const host = `${hostname()}/`;
    const running = await this.runs.find({ where: { outcome: 'RUNNING' }, select: { id: true, runner: true } });
    const gone = running.filter((r) => r.runner?.startsWith(host) && !isRunning(Number(r.runner.slice(host.length))));
    for (const r of gone) {
      await this.tx.run((m) =>
        m.update(ImportRun, { id: r.id, outcome: 'RUNNING' }, { outcome: 'INTERRUPTED', failure: 'the registry process stopped while the import ran; nothing was written', finishedAt: this.clock.now() }),
      );
    }
    return gone.length;
  }

  private async rememberKey(m: EntityManager, key: string, requestHash: string, report: ImportReport): Promise<void> {
    const actorId = currentContext().actorId ?? 'anonymous';
    const prior = await m.findOne(IdempotencyKey, { where: { actorId, key } });
    if (prior) {
      if (prior.requestHash === requestHash && prior.responseBody) throw new Replay(JSON.parse(prior.responseBody));
      throw keyReused(key);
    }
    await m.insert(IdempotencyKey, { actorId, key, method: 'POST', path: '/api/v1/imports/shipments', requestHash, responseStatus: 201, responseBody: JSON.stringify(report), createdAt: this.clock.now() });
  }

  async list(query: PageQuery): Promise<Page<ImportRun>> {
    const { limit, offset } = pageOf(query);
    const [items, total] = await this.snapshots.read((m) => m.findAndCount(ImportRun, { order: { startedAt: 'DESC' }, skip: offset, take: limit }));
    return { items, total, limit, offset };
  }

  /**
   * Streams a CSV file through csv-parse (UTF-8 with or without BOM, quoted fields with commas and newlines,
   * CRLF or LF), checks its header, and hands rows to `onBatch` in batches. Returns the file's SHA-256.
   */
  private async readCsv(
    input: NodeJS.ReadableStream,
    file: ImportError['file'],
    known: readonly string[],
    required: readonly string[],
    fail: (e: ImportError) => void,
    onBatch: (rows: { row: number; cells: Record<string, string> }[]) => Promise<void>,
  ): Promise<string> {
    const hash = createHash('sha256');
    let bytes = 0;
    let watchdog: NodeJS.Timeout | undefined;
    const stalled = () => parser.destroy(new UploadError(408, `the upload stalled: no data for ${STALL_SECONDS} seconds`));
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > MAX_FILE_BYTES) return done(new UploadError(413, `the file is larger than ${MAX_FILE_BYTES / 2 ** 20} MiB`));
        hash.update(chunk);
        clearTimeout(watchdog);
        watchdog = setTimeout(stalled, STALL_SECONDS * 1000);
        done(null, chunk);
      },
    });
    // max_record_size: one record may not hold a whole huge file in memory.
    const parser = parse({ bom: true, columns: false, skip_empty_lines: true, relax_column_count: false, max_record_size: 1_000_000, info: true });
    // pipeline (not pipe): a client that disconnects or a broken stream ends the import with an error instead of
    // leaving it waiting (and holding its transaction) for ever.
    const done = pipeline(input as NodeJS.ReadableStream & Readable, tap, parser).catch(() => undefined);
    watchdog = setTimeout(stalled, STALL_SECONDS * 1000);
    let header: string[] | undefined;
    let batch: { row: number; cells: Record<string, string> }[] = [];
    let record = 0;
    try {
      for await (const { record: values, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        record = info.lines;
        if (!header) {
          header = values.map((h) => h.trim());
          const unknown = header.filter((h) => !known.includes(h));
          const missing = required.filter((r) => !header!.includes(r));
          const twice = header.filter((h, i) => header!.indexOf(h) !== i);
          for (const u of unknown) fail({ file, row: 1, column: u, message: `is not a column of this file; the columns are ${known.join(', ')}` });
          for (const r of missing) fail({ file, row: 1, column: r, message: 'is a required column and is missing' });
          for (const d of twice) fail({ file, row: 1, column: d, message: 'appears twice' });
          if (unknown.length || missing.length || twice.length) {
            clearTimeout(watchdog);
            return drain(parser, hash);
          }
          continue;
        }
        await this.slicer.pause();
        const cells: Record<string, string> = {};
        header.forEach((h, i) => (cells[h] = values[i] ?? ''));
        batch.push({ row: record, cells });
        if (batch.length >= BATCH[file]) {
          await onBatch(batch);
          batch = [];
        }
      }
      if (batch.length) await onBatch(batch);
      if (!header) fail({ file, row: 1, column: '', message: 'the file is empty: it needs a header row' });
    } catch (e) {
      if (e instanceof UploadError) throw e;
      const code = (e as { code?: string }).code ?? '';
      if (['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'ABORT_ERR', 'FST_REQ_FILE_TOO_LARGE'].includes(code) || /Unexpected end of (form|multipart)/i.test((e as Error).message)) {
        throw new UploadError(400, 'the upload was cut off before the end of the file');
      }
      if (!(e instanceof CsvError)) throw e;
      fail({ file, row: (e as CsvError & { lines?: number }).lines ?? record + 1, column: '', message: `not readable as CSV: ${e.message}` });
      return drain(parser, hash);
    } finally {
      clearTimeout(watchdog);
      await done;
    }
    return hash.digest('hex');
  }

  /** One batch of shipment rows: parse cells, validate like the API, apply the rules, skip identical rows, insert. */
  private async shipmentBatch(
    m: EntityManager,
    rows: { row: number; cells: Record<string, string> }[],
    lookup: (ref: { licenseNumber?: string }) => Promise<LicenseWithSteps>,
    stamp: Date,
    fail: (e: ImportError) => void,
    inFile: FileShipments,
    importId: string,
  ): Promise<{ valid: number; created: number; skipped: number }> {
    const remember = (s: Shipment, created: boolean) => inFile.add(s.reference, s.no, s.units, created);
    const numbered: { slot: number; shipment: Shipment }[] = [];
    const prepared: { row: number; shipment: Shipment }[] = [];
    for (const { row, cells } of rows) {
      await this.slicer.pause();
      const input = await this.toInput(row, cells, fail);
      if (!input) continue;
      try {
        const { shipment } = await this.shipments.prepare(m, input, lookup);
        shipment.createdAt = stamp;
        shipment.updatedAt = stamp;
        prepared.push({ row, shipment });
      } catch (e) {
        if (!(e instanceof ProblemException)) throw e;
        const fields = e.errors?.length ? e.errors : [{ field: '', message: e.detail }];
        for (const f of fields) fail({ file: 'shipments', row, column: columnOf(f.field), message: f.message === e.detail ? f.message : `${f.message} (${e.detail})` });
      }
    }
    // (exporter, reference): compare with what is stored, and with earlier rows of this batch.
    const existing = new Map<string, Shipment>();
    const byCompany = new Map<string, string[]>();
    for (const { shipment: s } of prepared) byCompany.set(s.companyId, [...(byCompany.get(s.companyId) ?? []), s.reference]);
    for (const [companyId, references] of byCompany) {
      for (const s of await m.find(Shipment, { where: { companyId, reference: In(references) } })) existing.set(`${s.companyId}|${s.reference}`, s);
    }
    const toInsert: Shipment[] = [];
    let skipped = 0;
    for (const { row, shipment } of prepared) {
      const key = `${shipment.companyId}|${shipment.reference}`;
      const stored = existing.get(key);
      if (!stored) {
        existing.set(key, shipment);
        toInsert.push(shipment);
        numbered.push({ slot: remember(shipment, true), shipment });
        continue;
      }
      const difference = differs(stored, shipment);
      if (stored.createdAt.getTime() === stamp.getTime()) {
        fail({ file: 'shipments', row, column: 'reference', message: `${shipment.reference} appears twice in this file for the same exporter` });
      } else if (difference) {
        fail({ file: 'shipments', row, column: difference.column, message: `reference ${shipment.reference} is already recorded (shipment ${stored.id}) with ${difference.column} ${difference.stored}, not ${difference.given}` });
      } else {
        skipped++;
        remember(stored, false);
      }
    }
    await this.shipments.store(m, toInsert);
    for (const { slot, shipment } of numbered) inFile.setNo(slot, shipment.no);
    // Each imported shipment has its own history, like one recorded through the API.
    await this.audit.recordMany(
      m,
      toInsert.map((sh) => ({
        action: 'shipment.recorded',
        entityType: 'shipment' as const,
        entityId: sh.id,
        // The row as imported (the full record is in the shipment itself), kept small: an import writes many.
        after: { reference: sh.reference, licenseId: sh.licenseId, shippedOn: sh.shippedOn, destinationCountry: sh.destinationCountry, units: sh.units, fobValueCents: sh.fobValueCents },
        reason: `import ${importId}`,
      })),
    );
    const failedRows = rows.length - prepared.length;
    const conflicted = prepared.length - toInsert.length - skipped;
    return { valid: rows.length - failedRows - conflicted, created: toInsert.length, skipped };
  }

  /** A row's cells as the API's CreateShipmentDto, validated the same way; undefined (with errors) when bad. */
  private async toInput(row: number, cells: Record<string, string>, fail: (e: ImportError) => void): Promise<CreateShipmentDto | undefined> {
    const errors: ImportError[] = [];
    const units = parseUnits(cells.units ?? '');
    const fob = parseMoney(cells.fobValue ?? '');
    const shippedOn = parseDate(cells.shippedOn ?? '');
    if ('error' in units) errors.push({ file: 'shipments', row, column: 'units', message: units.error });
    if ('error' in fob) errors.push({ file: 'shipments', row, column: 'fobValue', message: fob.error });
    if ('error' in shippedOn) errors.push({ file: 'shipments', row, column: 'shippedOn', message: shippedOn.error });
    const text = (c: string) => (cells[c] === undefined || cells[c].trim() === '' ? undefined : cells[c].trim());
    const plain = {
      licenseNumber: text('licenseNumber'),
      reference: cells.reference ?? '',
      shippedOn: 'value' in shippedOn ? shippedOn.value : undefined,
      destinationCountry: cells.destinationCountry?.trim(),
      units: 'value' in units ? units.value : undefined,
      deviceCategory: cells.deviceCategory?.trim(),
      technology: text('technology'),
      brand: text('brand'),
      model: text('model'),
      hsCode: text('hsCode'),
      fobValue: 'value' in fob ? fob.value : undefined,
    };
    const dto = plainToInstance(CreateShipmentDto, plain);
    for (const e of flattenValidationErrors(await validate(dto, { whitelist: true, forbidNonWhitelisted: true }))) {
      if (!errors.some((x) => x.column === e.field)) errors.push({ file: 'shipments', row, column: e.field, message: e.message });
    }
    if (!plain.licenseNumber) errors.push({ file: 'shipments', row, column: 'licenseNumber', message: 'is empty' });
    errors.forEach(fail);
    return errors.length ? undefined : dto;
  }

  /**
   * One batch of `imei,reference` rows: normalise, find the shipment among this file's shipments (the IMEI file
   * cannot add devices to other shipments), refuse a device already exported elsewhere.
   */
  private async imeiBatch(
    m: EntityManager,
    rows: { row: number; cells: Record<string, string> }[],
    fail: (e: ImportError) => void,
    inFile: FileShipments,
  ): Promise<{ created: number; skipped: number }> {
    const parsed: { row: number; imei: string; reference: string; slot: number }[] = [];
    for (const { row, cells } of rows) {
      const result = normaliseImei(cells.imei ?? '');
      const reference = (cells.reference ?? '').trim();
      const matches = inFile.find(reference);
      if ('error' in result) fail({ file: 'imeis', row, column: 'imei', message: result.error });
      else if (!reference) fail({ file: 'imeis', row, column: 'reference', message: 'is empty' });
      else if (matches.length === 0) fail({ file: 'imeis', row, column: 'reference', message: `no shipment with reference ${reference} in the shipments file of this import` });
      else if (matches.length > 1) fail({ file: 'imeis', row, column: 'reference', message: `reference ${reference} belongs to shipments of several exporters in this file; it cannot say which` });
      else parsed.push({ row, imei: result.imei, reference, slot: matches[0] });
    }
    const takenBy = new Map<string, { no: number; in: string }>();
    for (const t of await this.shipments.exportedIn(m, parsed.map((p) => p.imei))) takenBy.set(t.imei, { no: t.shipmentNo, in: `shipment ${t.shipmentId}` });
    const fresh: Device[] = [];
    const freshImeis = new Set<string>();
    let skipped = 0;
    for (const p of parsed) {
      const owner = takenBy.get(p.imei);
      const no = inFile.no(p.slot);
      inFile.list(p.slot);
      if (owner === undefined) {
        takenBy.set(p.imei, { no, in: `shipment ${p.reference} of this file` });
        freshImeis.add(p.imei);
        fresh.push(Object.assign(new Device(), { imei: p.imei, shipmentNo: no }));
      } else if (owner.no === no && !inFile.created(p.slot) && !freshImeis.has(p.imei)) {
        skipped++; // the same device of the same stored shipment: a re-import
      } else if (owner.no === no) {
        fail({ file: 'imeis', row: p.row, column: 'imei', message: `${p.imei} is listed twice for shipment ${p.reference}` });
      } else {
        fail({ file: 'imeis', row: p.row, column: 'imei', message: `${p.imei} was already exported in ${owner.in}; a device is exported once` });
      }
    }
    await bulkInsert(m, Device, fresh);
    return { created: fresh.length, skipped };
  }

  /**
   * Every shipment of the file that got IMEIs must end with exactly as many as its units. A shipment this import
   * created has just the devices listed for it (counted here); a stored one is counted in the database.
   */
  private async checkDeviceCounts(m: EntityManager, inFile: FileShipments, fail: (e: ImportError) => void): Promise<void> {
    const mismatch = (s: { reference: string; units: number }, devices: number) =>
      fail({ file: 'imeis', row: 0, column: 'reference', message: `shipment ${s.reference} would have ${devices} IMEIs but has ${s.units} units; they must be equal (row 0: the file as a whole)` });
    let stored: { reference: string; no: number; units: number }[] = [];
    const countStored = async () => {
      const counts = await m
        .createQueryBuilder(Device, 'd')
        .select('d.shipment_no', 'no')
        .addSelect('COUNT(*)', 'devices')
        .where('d.shipment_no IN (:...nos)', { nos: stored.map((s) => s.no) })
        .groupBy('d.shipment_no')
        .getRawMany<{ no: string | number; devices: string | number }>();
      const byNo = new Map(counts.map((c) => [Number(c.no), Number(c.devices)]));
      for (const s of stored) {
        const devices = byNo.get(s.no) ?? 0;
        if (devices !== s.units) mismatch(s, devices);
      }
      stored = [];
    };
    for (const s of inFile.named()) {
      if (s.created) {
        if (s.listed !== s.units) mismatch(s, s.listed);
        continue;
      }
      stored.push(s);
      if (stored.length === 500) await countStored();
    }
    if (stored.length) await countStored();
  }
}

function columnOf(field: string): string {
  if (field === 'licenseId') return 'licenseNumber';
  return field.replace(/\[\d+\]$/, '');
}

/** The first field in which a stored shipment differs from an imported row, if any. */
function differs(stored: Shipment, given: Shipment): { column: string; stored: unknown; given: unknown } | undefined {
  const fields: [string, unknown, unknown][] = [
    ['licenseNumber', stored.licenseId, given.licenseId],
    ['shippedOn', stored.shippedOn, given.shippedOn],
    ['destinationCountry', stored.destinationCountry, given.destinationCountry],
    ['units', stored.units, given.units],
    ['deviceCategory', stored.deviceCategory, given.deviceCategory],
    ['technology', stored.technology, given.technology],
    ['brand', stored.brand, given.brand],
    ['model', stored.model, given.model],
    ['hsCode', stored.hsCode, given.hsCode],
    ['fobValue', stored.fobValueCents, given.fobValueCents],
  ];
  const found = fields.find(([, a, b]) => (a ?? null) !== (b ?? null));
  return found ? { column: found[0], stored: found[1], given: found[2] } : stored.status === 'VOIDED' ? { column: 'reference', stored: 'a voided shipment', given: 'a new one' } : undefined;
}

/** Reads the rest of a file (so the upload completes and the hash covers it all) without using it. */
async function drain(parser: AsyncIterable<unknown>, hash: ReturnType<typeof createHash>): Promise<string> {
  try {
    for await (const _ of parser) void _;
  } catch {
    // the file is refused already
  }
  return hash.digest('hex');
}
