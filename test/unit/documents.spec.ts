import { describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_BYTES, sniffDocumentType } from '../../src/obligations/documents.js';

describe('documents are recognised by their first bytes', () => {
  it('PDF, PNG and JPEG by their signatures; anything else, or too short a start, is none', () => {
    expect(sniffDocumentType(Buffer.from('%PDF-1.4\n'))).toBe('application/pdf');
    expect(sniffDocumentType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image/png');
    expect(sniffDocumentType(Buffer.from([0xff, 0xd8, 0xff, 0xdb]))).toBe('image/jpeg');
    expect(sniffDocumentType(Buffer.from(' %PDF-1.4'))).toBeNull(); // not at the start
    expect(sniffDocumentType(Buffer.from('%PDF'))).toBeNull();
    expect(sniffDocumentType(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
    expect(sniffDocumentType(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffDocumentType(Buffer.alloc(0))).toBeNull();
  });

  it('at most 20 MiB', () => {
    expect(MAX_DOCUMENT_BYTES).toBe(20_971_520);
  });
});
