import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { CompaniesService } from '../companies/companies.service.js';
import { Company, companyNameKey } from '../companies/company.entity.js';
import { LicensesService } from '../licenses/licenses.service.js';
import { License } from '../licenses/license.entity.js';
import { Shipment } from '../shipments/shipment.entity.js';
import { ShipmentsService } from '../shipments/shipments.service.js';
import { REFERENCE_DATA } from './reference-data.js';

export interface SeedResult {
  version: string;
  created: { companies: number; licenses: number; shipments: number };
}

/** Loads the reference data through the same services (and rules) as the API. Idempotent. */
@Injectable()
export class SeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');

  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    private readonly dataSource: DataSource,
    private readonly companies: CompaniesService,
    private readonly licenses: LicensesService,
    private readonly shipments: ShipmentsService,
  ) {}

  /** A fresh (empty) database is seeded on first start unless SEED=false. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seed) return;
    if ((await this.dataSource.getRepository(Company).count()) > 0) return;
    const result = await this.seed();
    this.logger.log(`Loaded reference data ${result.version}: ${JSON.stringify(result.created)}`);
  }

  /** Loads the reference data (real MDM authorizations and exports) through the services, as staff would record them; what exists already is left alone, so it runs again safely. Returns what it created. */
  async seed(): Promise<SeedResult> {
    const created = { companies: 0, licenses: 0, shipments: 0 };
    const companyIds = new Map<string, string>();
    const m = this.dataSource.manager;
    for (const c of REFERENCE_DATA.companies) {
      let company = await m.findOne(Company, { where: { legalNameKey: companyNameKey(c.legalName) } });
      if (!company) {
        const dto = await this.companies.create({ legalName: c.legalName, tradeName: c.tradeName });
        company = await m.findOneOrFail(Company, { where: { id: dto.id } });
        created.companies++;
      }
      companyIds.set(c.key, company.id);
      const existing = await m.findOne(License, { where: { companyId: company.id, type: c.license.type, issuedOn: c.license.issuedOn } });
      if (!existing) {
        await this.licenses.grant({
          companyId: company.id,
          type: c.license.type,
          issuedOn: c.license.issuedOn,
          brands: c.license.brands,
          reason: `Reference data ${REFERENCE_DATA.version}: publicly reported MDM authorization. Sources: ${c.sources.join('; ')}`,
        });
        created.licenses++;
      }
    }
    for (const s of REFERENCE_DATA.shipments) {
      const companyId = companyIds.get(s.exporter)!;
      if (await m.findOne(Shipment, { where: { companyId, reference: s.reference } })) continue;
      const license = await m.findOneOrFail(License, { where: { companyId }, order: { issuedOn: 'ASC' } });
      const { note: _note, sources: _sources, exporter: _exporter, ...fields } = s;
      await this.shipments.create({ ...fields, licenseId: license.id, companyId });
      created.shipments++;
    }
    return { version: REFERENCE_DATA.version, created };
  }
}
