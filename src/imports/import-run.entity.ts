import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantTransformer } from '../database/columns.js';

export type ImportOutcome = 'COMMITTED' | 'REJECTED' | 'VALIDATED';

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
  @Column({ name: 'finished_at', type: 'varchar', length: 32, transformer: instantTransformer }) finishedAt: Date;
}
