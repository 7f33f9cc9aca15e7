import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, QueryFailedError, Repository } from 'typeorm';
import { historyLink, likeContains, type Page, pageOf } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { AuditService } from '../audit/audit.service.js';
import { Snapshots } from '../database/snapshots.js';
import { Transactions } from '../database/transactions.js';
import { Company, companyNameKey, companySearchKey } from './company.entity.js';
import type { CompanyDto, CreateCompanyDto, ListCompaniesQuery, LookAlikesDto, UpdateCompanyDto } from './dto/company.dto.js';

const OPTIONAL_FIELDS = ['tradeName', 'registrationNumber', 'ntn', 'city', 'province', 'address', 'website', 'contactEmail'] as const;

@Injectable()
export class CompaniesService {
  constructor(
    @InjectRepository(Company) private readonly companies: Repository<Company>,
    private readonly tx: Transactions,
    private readonly snapshots: Snapshots,
    private readonly audit: AuditService,
  ) {}

  /** Creates a licensee, audited; 409 DUPLICATE when another company has its registration number or NTN. */
  async create(input: CreateCompanyDto): Promise<CompanyDto> {
    const saved = await this.tx.run(async (m) => {
      const now = new Date();
      const company = m.create(Company, {
        id: randomUUID(),
        legalName: input.legalName,
        legalNameKey: companyNameKey(input.legalName),
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
      for (const f of OPTIONAL_FIELDS) company[f] = input[f] ?? null;
      company.searchKey = companySearchKey(company.legalName, company.tradeName);
      await this.assertUnique(m, company);
      await m.save(company);
      await this.audit.record(m, { action: 'company.created', entityType: 'company', entityId: company.id, after: toCompanyDto(company) });
      return company;
    });
    return toCompanyDto(saved);
  }

  /**
   * Groups of companies whose legal names share one identity key (two rows kept apart when the keys were
   * re-keyed: migration IdentityKeys), oldest first. Reads every company's name: a staff report, not public.
   */
  async lookAlikes(): Promise<LookAlikesDto> {
    const rows = await this.companies.find({ select: { id: true, legalName: true, createdAt: true }, order: { createdAt: 'ASC', id: 'ASC' } });
    const byKey = new Map<string, Company[]>();
    for (const c of rows) byKey.set(companyNameKey(c.legalName), [...(byKey.get(companyNameKey(c.legalName)) ?? []), c]);
    const groups = [...byKey.values()].filter((g) => g.length > 1);
    return { groups: groups.map((g) => ({ companies: g.map((c) => ({ id: c.id, legalName: c.legalName, createdAt: c.createdAt.toISOString() })) })) };
  }

  /** The company with this legal name in any form (its identity key), or null. */
  async findByLegalName(legalName: string): Promise<CompanyDto | null> {
    const company = await this.companies.findOne({ where: { legalNameKey: companyNameKey(legalName) } });
    return company && toCompanyDto(company);
  }

  /** Whether any company is registered (an empty register is seeded on first start). */
  async any(): Promise<boolean> {
    return (await this.companies.count({ take: 1 })) > 0;
  }

  /** One page of companies, by legal name or creation time, optionally those whose names contain `q` (any case); page and total in one snapshot. */
  async list(query: ListCompaniesQuery): Promise<Page<CompanyDto>> {
    const { limit, offset } = pageOf(query);
    const qb = this.companies.createQueryBuilder('c');
    if (query.q?.trim()) {
      qb.where(`c.search_key LIKE :pattern ESCAPE '\\'`, {
        pattern: likeContains(query.q),
      });
    }
    const sort = query.sort ?? 'legalName';
    const column = sort.replace('-', '') === 'createdAt' ? 'c.created_at' : 'c.legal_name_key';
    qb.orderBy(column, sort.startsWith('-') ? 'DESC' : 'ASC').addOrderBy('c.id', 'ASC').skip(offset).take(limit);
    const [rows, total] = await this.snapshots.manyAndCount(qb);
    return { items: rows.map(toCompanyDto), total, limit, offset };
  }

  /**
   * The company entity. Unknown: 404, or, when `field` names the request field that referred to it,
   * 422 COMPANY_NOT_FOUND on that field. For other modules.
   */
  async getEntity(id: string, manager?: EntityManager, field?: string): Promise<Company> {
    const company = await (manager ?? this.companies.manager).findOne(Company, { where: { id } });
    if (!company && field) throw Problem.rule('COMPANY_NOT_FOUND', `${field}: no company with id ${id}`, [{ field, message: 'no such company' }]);
    if (!company) throw Problem.notFound('company', id);
    return company;
  }

  /** One company; 404 COMPANY_NOT_FOUND when unknown. */
  async get(id: string): Promise<CompanyDto> {
    return toCompanyDto(await this.getEntity(id));
  }

  /** Applies the change if the company is still at `expectedVersion` (412 otherwise). */
  async update(id: string, input: UpdateCompanyDto, expectedVersion: number): Promise<CompanyDto> {
    const saved = await this.tx.run(async (m) => {
      const version = await this.tx.claimVersion(m, Company, id, expectedVersion);
      const company = await this.getEntity(id, m);
      const before = toCompanyDto({ ...company, version: expectedVersion });
      if (input.legalName === null) throw Problem.validation([{ field: 'legalName', message: 'cannot be removed' }]);
      if (input.legalName !== undefined) {
        company.legalName = input.legalName;
        company.legalNameKey = companyNameKey(input.legalName);
      }
      for (const f of OPTIONAL_FIELDS) if (input[f] !== undefined) company[f] = input[f] ?? null;
      company.searchKey = companySearchKey(company.legalName, company.tradeName);
      company.updatedAt = new Date();
      company.version = version;
      await this.assertUnique(m, company);
      await m.save(company);
      await this.audit.record(m, { action: 'company.updated', entityType: 'company', entityId: id, before, after: toCompanyDto(company), reason: input.reason ?? null });
      return company;
    });
    return toCompanyDto(saved);
  }

  /** Deletes a company that holds no license, with a reason; 409 COMPANY_HAS_LICENSES otherwise (enforced by the foreign key). */
  async remove(id: string, reason: string): Promise<void> {
    await this.tx.run(async (m) => {
      const company = await this.getEntity(id, m);
      try {
        await m.delete(Company, { id });
        await this.audit.record(m, { action: 'company.deleted', entityType: 'company', entityId: id, before: toCompanyDto(company), reason });
      } catch (e) {
        if (e instanceof QueryFailedError) {
          throw Problem.conflict('COMPANY_HAS_LICENSES', 'The company holds licenses and cannot be deleted; licenses are never deleted, only revoked or surrendered');
        }
        throw e;
      }
    });
  }

  /** Friendly 409s for the unique fields; the unique indexes still catch a concurrent duplicate. */
  private async assertUnique(m: EntityManager, company: Company): Promise<void> {
    const checks = [
      { field: 'legalName', where: { legalNameKey: company.legalNameKey }, what: 'legal name' },
      { field: 'registrationNumber', where: company.registrationNumber ? { registrationNumber: company.registrationNumber } : null, what: 'registration number' },
      { field: 'ntn', where: company.ntn ? { ntn: company.ntn } : null, what: 'NTN' },
    ];
    for (const check of checks) {
      if (!check.where) continue;
      const other = await m.findOne(Company, { where: check.where, select: { id: true, legalName: true } });
      if (other && other.id !== company.id) {
        throw Problem.conflict(
          'DUPLICATE',
          `${check.field}: another company (${other.legalName}) already has this ${check.what}`,
          [{ field: check.field, message: `already used by company ${other.id}` }],
          { existingId: other.id },
        );
      }
    }
  }
}

export function toCompanyDto(c: Company): CompanyDto {
  return {
    id: c.id,
    legalName: c.legalName,
    tradeName: c.tradeName,
    registrationNumber: c.registrationNumber,
    ntn: c.ntn,
    city: c.city,
    province: c.province,
    address: c.address,
    website: c.website,
    contactEmail: c.contactEmail,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    version: c.version,
    links: { history: historyLink('company', c.id) },
  };
}
