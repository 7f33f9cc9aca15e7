import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import argon2 from 'argon2';
import { type EntityManager, Not, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { type Page, pageOf } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { Snapshots } from '../database/snapshots.js';
import { Transactions } from '../database/transactions.js';
import type { CreateStaffDto, ListStaffQuery, StaffDto, UpdateStaffDto } from './dto/staff.dto.js';
import { PASSWORD_MAX, PASSWORD_MIN } from './dto/staff.dto.js';
import { StaffUser } from './staff-user.entity.js';

/** argon2id with the library's defaults (m=64 MiB, t=3, p=4): no input-length truncation. */
export const hashPassword = (password: string): Promise<string> => argon2.hash(password, { type: argon2.argon2id });
export const verifyPassword = (hash: string, password: string): Promise<boolean> => argon2.verify(hash, password).catch(() => false);

@Injectable()
export class StaffService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Staff');

  constructor(
    @InjectRepository(StaffUser) private readonly staff: Repository<StaffUser>,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    private readonly tx: Transactions,
    private readonly snapshots: Snapshots,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** BOOTSTRAP_ADMIN_EMAIL + BOOTSTRAP_ADMIN_PASSWORD create the first admin while there is no staff. */
  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.auth.bootstrapAdmin;
    if (!admin || (await this.staff.count()) > 0) return;
    const created = await this.create({ email: admin.email, password: admin.password, role: 'ADMIN', displayName: 'Administrator' });
    this.logger.log(`Created the first admin ${created.email} from BOOTSTRAP_ADMIN_EMAIL`);
  }

  /** Creates a staff account (e-mail lower-cased, password hashed with argon2id); 400 for a password outside the allowed length, 409 DUPLICATE for an e-mail in use. */
  async create(input: CreateStaffDto): Promise<StaffDto> {
    if (input.password.length < PASSWORD_MIN || input.password.length > PASSWORD_MAX) {
      throw Problem.validation([{ field: 'password', message: `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters` }]);
    }
    const passwordHash = await hashPassword(input.password);
    const saved = await this.tx.run(async (m) => {
      const email = input.email.trim().toLowerCase();
      if (await m.findOne(StaffUser, { where: { email }, select: { id: true } })) {
        throw Problem.conflict('DUPLICATE', 'email: a staff account with this e-mail already exists', [{ field: 'email', message: 'already used' }]);
      }
      const now = this.clock.now();
      const user = m.create(StaffUser, {
        id: randomUUID(),
        email,
        displayName: input.displayName,
        role: input.role,
        passwordHash,
        active: true,
        tokensValidAfter: null,
        lastLoginAt: null,
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
      await m.save(user);
      await this.audit.record(m, { action: 'staff.created', entityType: 'staff', entityId: user.id, after: toStaffDto(user) });
      return user;
    });
    return toStaffDto(saved);
  }

  /** One page of staff accounts by e-mail, with the total (one snapshot); never a password hash. */
  async list(query: ListStaffQuery): Promise<Page<StaffDto>> {
    const { limit, offset } = pageOf(query);
    const [rows, total] = await this.snapshots.read((m) => m.findAndCount(StaffUser, { order: { email: 'ASC' }, skip: offset, take: limit }));
    return { items: rows.map(toStaffDto), total, limit, offset };
  }

  /** One staff account; 404 when unknown. */
  async get(id: string): Promise<StaffDto> {
    return toStaffDto(await this.getEntity(id));
  }

  /** The stored account (with its hash), read through `m` (a transaction) when given; 404 when unknown. */
  async getEntity(id: string, m: EntityManager = this.staff.manager): Promise<StaffUser> {
    const user = await m.findOne(StaffUser, { where: { id } });
    if (!user) throw Problem.notFound('staff', id);
    return user;
  }

  /**
   * Changes role, name, active or password. Deactivation and a new password revoke the account's tokens at once.
   * 409 LAST_ADMIN when it would leave no active ADMIN.
   */
  async update(id: string, input: UpdateStaffDto, expectedVersion: number): Promise<StaffDto> {
    const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
    const saved = await this.tx.run(async (m) => {
      const version = await this.tx.claimVersion(m, StaffUser, id, expectedVersion);
      const user = await this.getEntity(id, m);
      const before = toStaffDto({ ...user, version: expectedVersion });
      const stopsBeingAdmin = user.role === 'ADMIN' && user.active && ((input.role !== undefined && input.role !== 'ADMIN') || input.active === false);
      if (stopsBeingAdmin) await this.assertAnotherAdmin(m, id);
      if (input.displayName !== undefined) user.displayName = input.displayName;
      if (input.role !== undefined) user.role = input.role;
      if (input.active !== undefined) user.active = input.active;
      if (passwordHash) user.passwordHash = passwordHash;
      if (passwordHash || input.active === false) user.tokensValidAfter = this.clock.now();
      user.updatedAt = this.clock.now();
      user.version = version;
      await m.save(user);
      const after = toStaffDto(user);
      await this.audit.record(m, {
        action: input.active === false ? 'staff.deactivated' : 'staff.updated',
        entityType: 'staff',
        entityId: id,
        before,
        after: { ...after, ...(passwordHash ? { passwordChanged: true } : {}) },
        reason: input.reason ?? null,
      });
      return user;
    });
    return toStaffDto(saved);
  }

  /**
   * 409 LAST_ADMIN unless an active ADMIN other than `id` remains: without one, nobody could manage staff. The
   * lock makes two admins demoting each other at once take turns (PostgreSQL; SQLite writes one at a time).
   */
  private async assertAnotherAdmin(m: EntityManager, id: string): Promise<void> {
    await this.tx.lock(m, 'staff-admins');
    const others = await m.count(StaffUser, { where: { role: 'ADMIN', active: true, id: Not(id) } });
    if (others === 0) {
      throw Problem.conflict('LAST_ADMIN', 'This is the last active ADMIN: make another account ADMIN first, so that someone can still manage staff', [
        { field: 'role', message: 'the last active ADMIN stays an active ADMIN' },
      ]);
    }
  }

  /** The account of an e-mail (trimmed, any case), or null. */
  async findByEmail(email: string): Promise<StaffUser | null> {
    return this.staff.findOne({ where: { email: email.trim().toLowerCase() } });
  }

  /** Notes the time of a successful login (`lastLoginAt`). */
  async recordLogin(user: StaffUser): Promise<void> {
    await this.tx.run((m) => m.update(StaffUser, { id: user.id }, { lastLoginAt: this.clock.now() }));
  }

  /** Revokes every token the account holds (logout). */
  async revokeTokens(id: string): Promise<void> {
    await this.tx.run((m) => m.update(StaffUser, { id }, { tokensValidAfter: this.clock.now() }));
  }
}

/** The public shape of a staff account: never the password hash. */
export function toStaffDto(u: StaffUser): StaffDto {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    active: u.active,
    lastLoginAt: u.lastLoginAt ? u.lastLoginAt.toISOString() : null,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
    version: u.version,
  };
}
