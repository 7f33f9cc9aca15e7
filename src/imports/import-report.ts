import type { ImportError } from './csv-reader.js';

/** What an import answers (and what its run records): counts, errors by file, row and column, outcome. */
export interface ImportReport {
  importId: string;
  mode: 'validate' | 'commit';
  outcome: 'COMMITTED' | 'REJECTED' | 'VALIDATED';
  fileName: string | null;
  fileSha256: string;
  rowsRead: number;
  rowsValid: number;
  rowsCreated: number;
  rowsSkipped: number;
  rowsFailed: number;
  imeis: { read: number; created: number; skipped: number; failed: number };
  errors: ImportError[];
  errorsTruncated: boolean;
}
