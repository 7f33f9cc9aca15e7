/**
 * Reference data: real PTA Mobile Device Manufacturing (MDM) authorizations and exports reported in public
 * sources. Versioned: bump `version` when the content changes. Loaded by `npm run seed` and on the first
 * start of an empty database (unless SEED=false). Gaps are left empty rather than invented (see notes).
 */
export const REFERENCE_DATA = {
  version: '2026-11-29.1',
  regulation: {
    name: 'Mobile Device Manufacturing (MDM) Regulations 2021',
    inForceOn: '2021-01-25',
    termYears: 10,
    sources: ['https://www.thenews.com.pk/print/783802', 'https://propakistani.pk/2021/01/30/'],
  },
  companies: [
    {
      key: 'inovi',
      legalName: 'Inovi Telecom (Private) Limited',
      tradeName: 'Inovi',
      license: { type: 'MDM' as const, issuedOn: '2021-04-09', brands: ['Inovi'] },
      sources: ['https://www.economicnews.com.cn/2021/08/15/', "seed article: 'license ... in April 2021'"],
    },
    {
      key: 'lucky',
      legalName: 'Lucky Motor Corporation Limited',
      tradeName: 'Lucky Motor',
      license: { type: 'MDM' as const, issuedOn: '2021-08-10', brands: ['Samsung'] },
      sources: ['https://investinpak.com/', 'https://www.theregister.com/2021/08/11/in_pakistan_a_car_company/'],
    },
  ],
  shipments: [
    {
      exporter: 'inovi',
      // The goods-declaration number is not public; this reference is the registry's own label for the record.
      reference: 'SEED-INOVI-2021-08-13-AE',
      shippedOn: '2021-08-13',
      destinationCountry: 'AE',
      units: 5500, // the seed article prints "55,00": a typo for 5,500 (other reports)
      deviceCategory: 'SMARTPHONE' as const,
      technology: '4G' as const,
      brand: 'Inovi',
      hsCode: '8517.12', // HS 2017, in force until 2021-12-31
      note: 'First export of made-in-Pakistan smartphones. FOB value not public.',
      sources: ['https://www.observerbd.com/news.php?id=326664', 'seed article'],
    },
  ],
  notes: [
    "PTA's authorization number format is not public: the registry assigns MDM-YYYY-NNNN.",
    'The second Inovi consignment (another 5,500 units) has no public date and is not loaded.',
    "Airlink's first batch (1,500 smartphones to the UAE, announced 2021-09-25) was made under an authorization whose date is not public; not loaded.",
  ],
};
