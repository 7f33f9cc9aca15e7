// Module boundaries of the registry (docs/architecture.md), checked by `npm run lint`.
/** @type {import('dependency-cruiser').IConfiguration} */
const DOMAIN = '(audit|auth|companies|licenses|shipments|imports|reports|public|seed|health|idempotency)';
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle between modules (type-only imports included) means neither can be understood or changed alone.',
      from: { path: '^src' },
      to: { circular: true, viaOnly: { pathNot: '\\.entity\\.ts$' } },
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      comment: 'Configuration is read first and depends on nothing of the registry.',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: '^src/config/' },
    },
    {
      name: 'common-is-a-base',
      severity: 'error',
      comment: 'common/ holds what every module uses (problems, dates, money, validation): it imports config only.',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/(common|config)/' },
    },
    {
      name: 'database-knows-no-domain',
      severity: 'error',
      comment: 'database/ (connections, transactions, snapshots, data versions) serves the modules and knows none; only the entity list of data-source.options.ts names them.',
      from: { path: '^src/database/', pathNot: '^src/database/data-source\\.options\\.ts$' },
      to: { path: `^src/${DOMAIN}/` },
    },
    {
      name: 'controllers-are-entry-points',
      severity: 'error',
      comment: 'Nothing imports a controller but its own module: what a controller and another caller share lives in a file of its own.',
      from: { pathNot: '\\.module\\.ts$' },
      to: { path: '\\.controller\\.ts$' },
    },
    {
      name: 'no-foreign-tables',
      severity: 'error',
      comment:
        "A module queries and writes its own tables only: another module's entity may appear in an entity's relations or as a type, never in a query (ask that module's service or read model).",
      // The one read model across two modules: the public register of licensees (companies) and their licenses.
      from: { path: '^src/([^/]+)/', pathNot: ['\\.entity\\.ts$', '^src/database/data-source\\.options\\.ts$', '^src/licenses/register\\.reader\\.ts$'] },
      to: { path: '^src/[^/]+/[^/]+\\.entity\\.ts$', pathNot: '^src/$1/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-entry-points',
      severity: 'error',
      comment: 'The entry points (the server, the CLI, the import worker, the CSV reading thread) are imported by nobody.',
      from: { path: '^src/' },
      to: { path: '^src/(main|cli/cli|imports/import-worker|imports/csv-thread-worker)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js'] },
  },
};
