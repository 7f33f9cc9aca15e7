import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import type { DatabaseConfig } from '../config/config.js';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { StaffUser } from '../auth/staff-user.entity.js';
import { IdempotencyKey } from '../common/idempotency-key.entity.js';
import { Company } from '../companies/company.entity.js';
import { License } from '../licenses/license.entity.js';
import { LicenseEvent } from '../licenses/license-event.entity.js';
import { ImportRun } from '../imports/import-run.entity.js';
import { Device, DeviceRelease } from '../shipments/device.entity.js';
import { ExportRollupCell } from '../shipments/export-rollup.js';
import { Shipment } from '../shipments/shipment.entity.js';

export const entities = [Company, License, LicenseEvent, Shipment, Device, DeviceRelease, ExportRollupCell, StaffUser, AuditEvent, IdempotencyKey, ImportRun];

// PostgreSQL `date` (oid 1082) is read as the text it is: pg would otherwise make a local-midnight Date,
// which shifts the day in any time zone west of UTC.
pg.types.setTypeParser(1082, (value: string) => value);

/**
 * The one source of data-source options, for the app, the CLI and the tests. The schema comes
 * only from migrations: synchronize is off on every engine.
 */
export function buildDataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  const common = { entities, migrations, synchronize: false, migrationsRun: false, logging: false } as const;
  if (database.engine === 'postgres') {
    return { ...common, type: 'postgres', url: database.url, extra: { max: 10 } };
  }
  if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: database.path,
    enableWAL: database.path !== ':memory:',
    timeout: 5000, // busy timeout, ms
    // foreign_keys is switched on by the driver itself
  };
}
