import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { CompaniesService } from '../companies/companies.service.js';
import { LicensesService } from '../licenses/licenses.service.js';
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
    private readonly companies: CompaniesService,
    private readonly licenses: LicensesService,
    private readonly shipments: ShipmentsService,
  ) {}

  /** What the start loaded (the start line names it), or null when it loaded nothing. */
  loaded: SeedResult | null = null;

  /** A fresh (empty) database is seeded on first start unless SEED=false. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.seed) return;
    if (await this.companies.any()) return;
    this.loaded = await this.seed();
    this.logger.debug(`Loaded reference data ${this.loaded.version}: ${JSON.stringify(this.loaded.created)}`);
  }

  /** Loads the reference data (real MDM authorizations and exports) through the services, as staff would record them; what exists already is left alone, so it runs again safely. Returns what it created. */
  async seed(): Promise<SeedResult> {
    const created = { companies: 0, licenses: 0, shipments: 0 };
    const companyIds = new Map<string, string>();
    const licenseIds = new Map<string, string>();
    for (const c of REFERENCE_DATA.companies) {
      let company = await this.companies.findByLegalName(c.legalName);
      if (!company) {
        company = await this.companies.create({ legalName: c.legalName, tradeName: c.tradeName });
        created.companies++;
      }
      companyIds.set(c.key, company.id);
      const licenses = await this.licenses.ofCompany(company.id);
      if (!licenses.some((l) => l.type === c.license.type && l.issuedOn === c.license.issuedOn)) {
        await this.licenses.grant({
          companyId: company.id,
          type: c.license.type,
          issuedOn: c.license.issuedOn,
          brands: c.license.brands,
          reason: `Reference data ${REFERENCE_DATA.version}: publicly reported MDM authorization. Sources: ${c.sources.join('; ')}`,
        });
        created.licenses++;
      }
      licenseIds.set(c.key, (await this.licenses.ofCompany(company.id))[0].id);
    }
    for (const s of REFERENCE_DATA.shipments) {
      const companyId = companyIds.get(s.exporter)!;
      if (await this.shipments.hasReference(companyId, s.reference)) continue;
      const { note: _note, sources: _sources, exporter: _exporter, ...fields } = s;
      await this.shipments.create({ ...fields, licenseId: licenseIds.get(s.exporter)!, companyId });
      created.shipments++;
    }
    return { version: REFERENCE_DATA.version, created };
  }
}
