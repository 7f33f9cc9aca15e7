import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { StaffRole } from '../common/roles.js';
import { instantTransformer } from '../database/columns.js';


/** A member of the regulator's staff. The password hash never leaves the auth module. */
@Entity({ name: 'staff_users' })
export class StaffUser {
  @PrimaryColumn('uuid') id: string;
  /** Lower-cased; unique. */
  @Column({ name: 'email', type: 'varchar', length: 254 }) email: string;
  @Column({ name: 'display_name', type: 'varchar', length: 200 }) displayName: string;
  @Column({ name: 'role', type: 'varchar', length: 10 }) role: StaffRole;
  /** argon2id, PHC string format. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255 }) passwordHash: string;
  @Column({ name: 'active', type: 'boolean' }) active: boolean;
  /** Tokens issued before this instant are refused (logout, password change, deactivation). */
  @Column({ name: 'tokens_valid_after', type: 'varchar', length: 32, nullable: true, transformer: instantTransformer }) tokensValidAfter: Date | null;
  @Column({ name: 'last_login_at', type: 'varchar', length: 32, nullable: true, transformer: instantTransformer }) lastLoginAt: Date | null;
  @Column({ name: 'created_at', type: 'varchar', length: 32, transformer: instantTransformer }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'varchar', length: 32, transformer: instantTransformer }) updatedAt: Date;
  @Column({ name: 'version', type: 'integer' }) version: number;
}
