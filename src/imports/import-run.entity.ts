import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantTransformer } from '../database/columns.js';

/**
 * RUNNING until it ends; then COMMITTED, REJECTED (bad rows or file: nothing written), VALIDATED (a dry run),
 * FAILED (a database error: nothing written; `failure` says which) or INTERRUPTED (its process stopped while it
 * ran: nothing written; set when the registry next starts).
 */
export type ImportOutcome = 'RUNNING' | 'COMMITTED' | 'REJECTED' | 'VALIDATED' | 'FAILED' | 'INTERRUPTED';

/** One CSV import: who, when, which file (SHA-256), the counts and the outcome. */
@Entity({ name: 'imports' })
export class ImportRun {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'kind', type: 'varchar', length: 20 }) kind: 'shipments';
  @Column({ name: 'mode', type: 'varchar', length: 10 }) mode: 'validate' | 'commit';
  @Column({ name: 'outcome', type: 'varchar', length: 12 }) outcome: ImportOutcome;
  @Column({ name: 'actor_id', type: 'varchar', length: 36, nullable: true }) actorId: string | null;
  @Column({ name: 'file_name', type: 'varchar', length: 255, nullable: true }) fileName: string | null;
  @Column({ name: 'file_sha256', type: 'varchar', length: 64 }) fileSha256: string;
  @Column({ name: 'imeis_file_sha256', type: 'varchar', length: 64, nullable: true }) imeisFileSha256: string | null;
  @Column({ name: 'rows_read', type: 'integer' }) rowsRead: number;
  @Column({ name: 'rows_valid', type: 'integer' }) rowsValid: number;
  @Column({ name: 'rows_created', type: 'integer' }) rowsCreated: number;
  @Column({ name: 'rows_skipped', type: 'integer' }) rowsSkipped: number;
  @Column({ name: 'rows_failed', type: 'integer' }) rowsFailed: number;
  @Column({ name: 'imeis_created', type: 'integer' }) imeisCreated: number;
  /** The first errors reported (JSON). */
  @Column({ name: 'errors', type: 'simple-json', nullable: true }) errors: { row: number; column: string; message: string }[] | null;
  @Column({ name: 'started_at', type: 'varchar', length: 32, transformer: instantTransformer }) startedAt: Date;
  /** Empty while it runs. */
  @Column({ name: 'finished_at', type: 'varchar', length: 32, nullable: true, transformer: instantTransformer }) finishedAt: Date | null;
  /** Why it FAILED or was INTERRUPTED. */
  @Column({ name: 'failure', type: 'varchar', length: 500, nullable: true }) failure: string | null;
  /** The process that runs (or ran) it, as host/pid: who may mark it INTERRUPTED. */
  @Column({ name: 'runner', type: 'varchar', length: 160, nullable: true, select: false }) runner: string | null;
}
