import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import type { IdempotencyKey } from '../idempotency/idempotency-key.entity.js';
import { IdempotencyStore } from '../idempotency/idempotency-store.js';
import { violatedUniqueIndex } from '../common/problem.filter.js';
import { ProblemException } from '../common/problem.js';
import { currentContext } from '../common/request-context.js';
import { Transactions } from '../database/transactions.js';
import { LicensesService } from '../licenses/licenses.service.js';
import type { LicenseWithSteps } from '../licenses/register.reader.js';
import { FileShipments } from './file-shipments.js';
import { checkDeviceCounts, imeiBatch } from './imei-rows.js';
import type { CreateShipmentDto } from '../shipments/dto/shipment.dto.js';
import { ShipmentsService } from '../shipments/shipments.service.js';
import type { ImportError } from './csv-reader.js';
import { type ImeiLines, readCsvInThread, type ShipmentRow } from './csv-thread.js';
import type { ImportReport } from './import-report.js';
import { describeFailure, ImportRuns } from './import-runs.js';
import { columnOf } from './shipment-rows.js';
import { UploadError } from './upload-spool.js';


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
  /** The encoding the file was sent in, when named (csvEncoding); else UTF-8, or what its byte order mark says. */
  charset?: string;
}

/** The files of one import: the shipments CSV and, optionally, its IMEI companion. */
export interface ImportFiles {
  shipments: ImportFile;
  imeis?: ImportFile;
}

class Rollback extends Error {}

/** The import was committed before under the same Idempotency-Key with the same files: its first report. */
class Replay extends Error {
  constructor(readonly report: ImportReport) {
    super('replay');
  }
}

/** `text` without control characters, cut to `max` characters. */
function oneLine(text: string, max: number): string {
  const line = text.replace(/\p{Cc}+/gu, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const keyHash = (shipments: string, imeis: string | null) => createHash('sha256').update(`POST /api/v1/imports/shipments\n${shipments}\n${imeis ?? ''}`).digest('hex');
const keyReused = (key: string) =>
  new ProblemException(422, 'IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${key} was already used for an import of other files; use a new key`);

/**
 * CSV import of shipments (and their IMEIs). Each row goes through the same validation (CreateShipmentDto) and
 * the same rules (ShipmentsService.prepare) as POST /api/v1/shipments. The file (local: uploads are received
 * whole first, and run in the import worker, import-runner.ts) is read in batches (csv-reader.ts) and written
 * inside one transaction: all rows or nothing. `validate` runs the very same work and rolls
 * it back. Rows are keyed by (exporter, reference): an identical stored row is skipped, a different one is an
 * error. Memory stays flat in the file size: only a batch, the license cache and the first errors are held.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly shipments: ShipmentsService,
    private readonly licenses: LicensesService,
    private readonly tx: Transactions,
    private readonly runs: ImportRuns,
    private readonly idempotency: IdempotencyStore,
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
      // A message may quote the file's cells (up to a megabyte each): a line of at most 300 characters is kept.
      if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push({ ...e, column: oneLine(e.column, 100), message: oneLine(e.message, 300) });
      else report.errorsTruncated = true;
    };
    let imeisSha256: string | null = null;
    await this.runs.start(report, mode, startedAt, { sha256: shipmentsFile.sha256, imeisSha256: files.imeis?.sha256 });

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
        report.fileSha256 = await readCsvInThread(shipmentsFile.open(), 'shipments', fail, async (rows: ShipmentRow[]) => {
          report.rowsRead += rows.length;
          const stats = await this.shipmentBatch(m, rows, lookup, fail, inFile, report.importId);
          report.rowsValid += stats.valid;
          report.rowsCreated += stats.created;
          report.rowsSkipped += stats.skipped;
          report.rowsFailed += rows.length - stats.valid;
        }, { batchSize: BATCH.shipments, charset: shipmentsFile.charset });
        const imeiFile = files.imeis;
        if (imeiFile) {
          // PostgreSQL plans the IMEI lookups with the statistics of the tables as they were before this
          // import; refreshed, it uses the reference index instead of scanning the new shipments each time.
          if (this.tx.engine === 'postgres') await m.query('ANALYZE shipments');
          imeisSha256 = await readCsvInThread(imeiFile.open(), 'imeis', fail, async (lines: ImeiLines) => {
            report.imeis.read += lines.rows.length;
            const stats = await imeiBatch(m, lines, fail, inFile);
            report.imeis.created += stats.created;
            report.imeis.skipped += stats.skipped;
            report.imeis.failed += lines.rows.length - stats.created - stats.skipped;
          }, { batchSize: BATCH.imeis, charset: imeiFile.charset });
          await checkDeviceCounts(m, inFile, fail);
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
        await this.runs.finish(report, mode, imeisSha256, startedAt, 'FAILED', describeFailure(e)).catch(() => undefined);
        throw e;
      }
      // A replay is the first import's answer, not an import of its own: its run is not kept.
      const dropRun = () => this.runs.drop(report.importId);
      if (e instanceof Replay) {
        await dropRun();
        return { ...e.report, replayed: true };
      }
      if (e instanceof UploadError) {
        await this.runs.finish(report, mode, imeisSha256, startedAt, 'REJECTED', e.detail);
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
          await this.runs.finish(report, mode, imeisSha256, startedAt, 'REJECTED', `Idempotency-Key ${options.idempotencyKey} was used for other files`);
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
    await this.runs.finish(report, mode, imeisSha256, startedAt, report.outcome, null);
    return report;
  }

  /** The stored Idempotency-Key of this staff member's earlier import, if any (committed imports only store one). */
  private priorKey(key: string): Promise<IdempotencyKey | null> {
    return this.idempotency.find(currentContext().actorId ?? 'anonymous', key);
  }

  private async rememberKey(m: EntityManager, key: string, requestHash: string, report: ImportReport): Promise<void> {
    const actorId = currentContext().actorId ?? 'anonymous';
    const prior = await this.idempotency.find(actorId, key, m);
    if (prior) {
      if (prior.requestHash === requestHash && prior.responseBody) throw new Replay(JSON.parse(prior.responseBody));
      throw keyReused(key);
    }
    await this.idempotency.insert({ actorId, key, method: 'POST', path: '/api/v1/imports/shipments', requestHash, responseStatus: 201, responseBody: JSON.stringify(report), createdAt: this.clock.now() }, m);
  }

  /** One batch of shipment rows: cells to API inputs (validated like the API), then ShipmentsService.recordMany. */
  private async shipmentBatch(
    m: EntityManager,
    rows: ShipmentRow[],
    lookup: (ref: { licenseNumber?: string }) => Promise<LicenseWithSteps>,
    fail: (e: ImportError) => void,
    inFile: FileShipments,
    importId: string,
  ): Promise<{ valid: number; created: number; skipped: number }> {
    const read = rows.filter((r): r is { row: number; input: CreateShipmentDto } => r.input !== undefined);
    const outcomes = await this.shipments.recordMany(m, read.map((r) => r.input), { existing: 'compare', lookup, importId });
    let valid = 0;
    let created = 0;
    let skipped = 0;
    outcomes.forEach((outcome, i) => {
      const { row, input } = read[i];
      switch (outcome.kind) {
        case 'created':
          inFile.add(outcome.shipment.reference, outcome.shipment.no, outcome.shipment.units, true);
          created++;
          valid++;
          break;
        case 'unchanged':
          inFile.add(outcome.stored.reference, outcome.stored.no, outcome.stored.units, false);
          skipped++;
          valid++;
          break;
        case 'repeated':
          fail({ file: 'shipments', row, column: 'reference', message: `${input.reference} appears twice in this file for the same exporter` });
          break;
        case 'differs':
          fail({ file: 'shipments', row, column: outcome.field, message: `reference ${input.reference} is already recorded (shipment ${outcome.stored.id}) with ${outcome.field} ${outcome.storedValue}, not ${outcome.given}` });
          break;
        case 'existing':
          break; // only with existing: 'refuse'
        case 'refused': {
          const e = outcome.problem;
          const fields = e.errors?.length ? e.errors : [{ field: '', message: e.detail }];
          for (const f of fields) fail({ file: 'shipments', row, column: columnOf(f.field), message: f.message === e.detail ? f.message : `${f.message} (${e.detail})` });
        }
      }
    });
    return { valid, created, skipped };
  }
}
