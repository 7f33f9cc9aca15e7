// Every migration, in order. An explicit list (no glob) works the same from src, dist and the tests.
import { RegistryCore1764400000000 } from './1764400000000-RegistryCore.js';
import { StaffAuditIdempotency1764500000000 } from './1764500000000-StaffAuditIdempotency.js';
import { DevicesImports1764600000000 } from './1764600000000-DevicesImports.js';
import { PublicReads1764700000000 } from './1764700000000-PublicReads.js';
import { CompactDevices1764800000000 } from './1764800000000-CompactDevices.js';
import { ExportRollup1764900000000 } from './1764900000000-ExportRollup.js';
import { ImportRuns1765000000000 } from './1765000000000-ImportRuns.js';
import { DropLicenseStatus1765100000000 } from './1765100000000-DropLicenseStatus.js';
import { ShipmentImportId1765200000000 } from './1765200000000-ShipmentImportId.js';
import { IdentityKeys1765300000000 } from './1765300000000-IdentityKeys.js';
import { TransparencyLog1765400000000 } from './1765400000000-TransparencyLog.js';
import { LicenseEventLogIndex1765500000000 } from './1765500000000-LicenseEventLogIndex.js';
import { Proposals1765600000000 } from './1765600000000-Proposals.js';
import { LicenseEventAuditSeqIndex1765700000000 } from './1765700000000-LicenseEventAuditSeqIndex.js';
import { Obligations1765800000000 } from './1765800000000-Obligations.js';
import { ObligationProposals1765900000000 } from './1765900000000-ObligationProposals.js';

export const migrations = [RegistryCore1764400000000, StaffAuditIdempotency1764500000000, DevicesImports1764600000000, PublicReads1764700000000, CompactDevices1764800000000, ExportRollup1764900000000, ImportRuns1765000000000, DropLicenseStatus1765100000000, ShipmentImportId1765200000000, IdentityKeys1765300000000, TransparencyLog1765400000000, LicenseEventLogIndex1765500000000, Proposals1765600000000, LicenseEventAuditSeqIndex1765700000000, Obligations1765800000000, ObligationProposals1765900000000];
