import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantTransformer } from '../database/columns.js';

/** A POST made with an Idempotency-Key, and the response it got, kept at least 24 hours. */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKey {
  @PrimaryColumn({ name: 'actor_id', type: 'varchar', length: 36 }) actorId: string;
  @PrimaryColumn({ name: 'key', type: 'varchar', length: 200 }) key: string;
  @Column({ name: 'method', type: 'varchar', length: 10 }) method: string;
  @Column({ name: 'path', type: 'varchar', length: 300 }) path: string;
  /** SHA-256 of method, path and canonical JSON body. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 }) requestHash: string;
  /** null while the first request is still running. */
  @Column({ name: 'response_status', type: 'integer', nullable: true }) responseStatus: number | null;
  @Column({ name: 'response_body', type: 'text', nullable: true }) responseBody: string | null;
  @Column({ name: 'created_at', type: 'varchar', length: 32, transformer: instantTransformer }) createdAt: Date;
}
