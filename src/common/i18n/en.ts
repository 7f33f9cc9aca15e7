/**
 * The English catalog: every text the public pages, the public chart and the error pages show. Its type is the
 * type of every catalog (`Messages`), so a key missing from, or added only to, another language does not compile.
 * Numbers and dates reach the functions below already written for the language (`format.ts`).
 */
export const en = {
  dir: 'ltr' as 'ltr' | 'rtl',
  /** The language's name in itself, for the language switch. */
  langName: 'English',
  site: 'License Registry',
  tagline: 'Mobile device manufacturing licenses',
  skip: 'Skip to content',
  navHome: 'Manufacturers',
  navVerify: 'Verify a license',
  navExports: 'Exports',
  navLog: 'Transparency log',
  /** Between two items of a line, e.g. a status change and its date. */
  separator: ', ',
  other: 'Other',

  homeTitle: 'Licensed mobile device manufacturers',
  homeIntro: 'Companies licensed by the regulator to manufacture mobile devices, with the status of each license today.',
  searchLabel: 'Company, brand or license number',
  statusLabel: 'License status',
  anyStatus: 'Any status',
  search: 'Search',
  results: (count: number, shown: string) => (count === 1 ? '1 manufacturer' : `${shown} manufacturers`),
  none: 'No manufacturer matches this search.',
  previous: 'Previous page',
  next: 'Next page',

  license: 'License',
  licenseNumber: 'License number',
  status: 'Status',
  issuedOn: 'Issued on',
  expiresOn: 'Valid until',
  termEnded: 'Term ended on',
  brands: 'Brands',
  city: 'City',
  tradeName: 'Trade name',
  website: 'Website',
  history: 'History',
  licenses: 'Licenses',
  termEnds: 'term until',
  /** A license's conditions on its public profile (PUBLIC_CONDITIONS). */
  conditions: {
    title: 'License conditions',
    about: 'Status of each condition today. Reported figures, notes and documents are not published; of the quarterly reports only the current quarter is shown.',
    statuses: { PENDING: 'PENDING', MET: 'MET', OVERDUE: 'OVERDUE', EXTENDED: 'EXTENDED', WAIVED: 'WAIVED' },
    dueBy: (date: string) => `due by ${date}`,
    extendedUntil: (date: string) => `until ${date}`,
  },

  verifyTitle: 'Verify a license',
  verifyIntro: 'Enter a license number to see whether it is valid today, or on a date you choose.',
  dateLabel: 'Date (optional, YYYY-MM-DD)',
  verify: 'Verify',
  invalidDate: 'Not a date of the calendar: write it as YYYY-MM-DD, for example 2024-07-01.',
  invalidLicenseNumber: 'Not a license number: 1 to 100 letters, digits, spaces and . / ( ) -, starting with a letter or digit.',
  verdictValid: 'VALID',
  verdictNotFound: 'NOT FOUND',
  notFoundText: (licenseNumber: string) => `No license numbered ${licenseNumber} is on the register.`,
  onDate: 'On',
  holder: 'Holder',
  lastChange: 'Last status change',

  notFoundPage: 'Not found',
  notFoundPageText: 'There is no licensed manufacturer at this address.',

  exportsTitle: 'Exports of mobile devices',
  exportsIntro: 'Devices exported by licensed manufacturers. Figures of fewer than 3 shipments are combined into “Other” so that no single company’s trade shows.',
  stackLabel: 'Split by',
  show: 'Show',
  periods: { month: 'Month', quarter: 'Quarter', year: 'Calendar year', fiscalYear: 'Fiscal year (July–June)' },
  stacks: { destination: 'Destination', deviceCategory: 'Device category' },
  deviceCategories: { SMARTPHONE: 'Smartphone', FEATURE_PHONE: 'Feature phone', TABLET: 'Tablet', OTHER: 'Other' },
  chartAlt: 'Chart of units exported per period; the same figures are in the table below.',
  tableCaption: 'Units exported per period',
  units: 'Units',
  shipments: 'Shipments',
  withheld: 'withheld',
  total: 'Total',

  /** The transparency log page (/log) and the log index of each event in a license's history. */
  log: {
    title: 'Transparency log',
    intro:
      'Every change staff make to the register (a license granted, suspended or renewed, a company or a shipment recorded) is written to an audit trail that can only be added to. The transparency log lets anyone check that this trail is never rewritten.',
    provesTitle: 'What it proves',
    proves: [
      'The registry signs and publishes a checkpoint of the audit trail: how many records it holds (the tree size) and a root hash, a fingerprint of all of them computed as a Merkle tree (RFC 9162).',
      'Anyone can keep the checkpoints they see. With short proofs from the registry they can check that a later log extends an earlier checkpoint, with nothing in it changed or removed, and that a given record is in the log.',
      'So the audit trail cannot be rewritten without it being noticed by whoever kept an earlier checkpoint; the registry’s own verification also checks the register’s license histories against the trail. Each event in a license’s public history shows its place in the log (“log #…”): that a record sits at that place in a signed tree can be proved to anyone; what the record says stays with the regulator, who can show it to an auditor.',
    ],
    hiddenTitle: 'What it does not reveal',
    hidden: 'Only hashes are public. The records themselves, with their details and the reasons staff give, stay with the regulator; the checkpoints and proofs hold nothing but hashes.',
    checkpointTitle: 'The current checkpoint',
    treeSize: 'Tree size (records)',
    rootHash: 'Root hash (base64)',
    note: 'The signed checkpoint as published: the log’s name, the tree size, the root hash, and the registry’s signature.',
    noCheckpoint: 'No checkpoint yet. The registry signs one when it starts, and again whenever records are added.',
    keyTitle: 'The key that signs the checkpoints',
    key: 'Check the Ed25519 signature of each checkpoint with this verifier key, and keep it: a checkpoint signed with any other key is not the registry’s.',
    machinesTitle: 'For programs',
    endpoints: {
      checkpoint: 'the latest signed checkpoint (text)',
      key: 'the signing key (JSON)',
      inclusion: 'proof that the record with a log index is in the tree of a checkpoint’s size (JSON)',
      consistency: 'proof that the tree of one size extends the tree of a smaller size (JSON)',
    },
    witnessTitle: 'Watch the log: run a witness',
    witness:
      'An outside body, such as an auditor, another agency or a newspaper, can watch the log with the witness command of this registry’s software, run once a day (for example from cron) on its own computer. The first run keeps the key and the checkpoint in the state directory; each later run checks the new checkpoint’s signature and a proof that the log still extends the checkpoint kept, keeps the new one, and stops with an error when either check fails.',
    entry: (index: string) => `log #${index}`,
  },

  openData: 'Open data',
  downloadCsv: 'Register as CSV',
  downloadJson: 'Register as JSON',
  downloadExports: 'Exports as CSV',
  apiDocs: 'API documentation',
  footer: 'Status is computed for today in Pakistan Standard Time from each license’s recorded history.',

  statuses: {
    ACTIVE: 'ACTIVE',
    SUSPENDED: 'SUSPENDED',
    REVOKED: 'REVOKED',
    EXPIRED: 'EXPIRED',
    NOT_YET_EFFECTIVE: 'NOT YET EFFECTIVE',
    SURRENDERED: 'SURRENDERED',
  },
  events: { GRANTED: 'Granted', AMENDED: 'Amended', SUSPENDED: 'Suspended', REINSTATED: 'Reinstated', RENEWED: 'Renewed', REVOKED: 'Revoked', SURRENDERED: 'Surrendered' },

  /** The SVG chart of exports (reports/chart.tsx, reports/chart-text.ts). */
  chart: {
    periods: { month: 'month', quarter: 'quarter', year: 'calendar year', fiscalYear: 'fiscal year (July-June)' },
    stacks: { destination: 'destination', deviceCategory: 'device category' },
    title: (period: string, by: string) => `Mobile devices exported by ${period}, by ${by}`,
    description: (d: { period: string; range: string; by: string; units: string; shipments: string; series: string[] }) =>
      `Stacked bars: units exported per ${d.period}, ${d.range}, split by ${d.by}. Total ${d.units} units in ${d.shipments} shipments. ${d.series.join('; ')}.`,
    range: (first: string, last: string) => `${first} to ${last}`,
    noExports: 'no exports',
    seriesTotal: (label: string, units: string) => `${label}: ${units} units`,
    segment: (period: string, label: string, units: string) => `${period}, ${label}: ${units} units`,
    xLabel: (period: string) => `Period (${period})`,
    yLabel: 'Units (devices)',
  },

  /** The error pages shown to browsers (common/error-page.tsx). */
  error: {
    titles: { 400: 'Bad Request', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' },
    texts: {
      400: 'The address of this page has a value the register cannot read. Check it, or start again from the list.',
      404: 'There is no page at this address.',
      429: 'Too many requests came from your network in a short time. Wait a minute, then try again.',
      500: 'Something went wrong on our side; it has been logged. Please try again later.',
      503: 'The register is busy or briefly out of reach. Please try again in a minute.',
    },
    clientError: 'Client Error',
    clientErrorText: 'The register cannot answer this request.',
    serverError: 'Server Error',
    serverErrorText: 'The register could not answer this request. Please try again later.',
    detail: 'Details',
    backToList: 'Back to the list of manufacturers',
  },
};

export type Messages = typeof en;
