import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashOf } from '../../src/audit/audit.service.js';

// The chain hash is defined as SHA-256(prevHash + RFC 8785 canonical JSON of the event's fields); hashOf writes
// that JSON itself (JSON.stringify in RFC 8785's key order). Here it is held to a general RFC 8785 implementation.
const canonicalize = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string;
const byDefinition = (e: Parameters<typeof hashOf>[0]) =>
  createHash('sha256')
    .update(
      e.prevHash +
        canonicalize({
          seq: e.seq,
          occurredAt: e.occurredAt.toISOString(),
          actorId: e.actorId,
          action: e.action,
          entityType: e.entityType,
          entityId: e.entityId,
          requestId: e.requestId,
          reason: e.reason,
          before: e.before,
          after: e.after,
          prevHash: e.prevHash,
        }),
    )
    .digest('hex');

// Any UTF-16 code units, lone surrogates and control characters included.
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.array(fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))).map((a) => a.join('')));
const orNull = (a: fc.Arbitrary<string>) => fc.option(a, { nil: null });
const event = fc.record({
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  occurredAt: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
  actorId: orNull(fc.uuid()),
  action: text,
  entityType: text,
  entityId: text,
  requestId: orNull(text),
  reason: orNull(text),
  before: orNull(fc.oneof(text, fc.jsonValue().map((v) => JSON.stringify(v)))),
  after: orNull(fc.oneof(text, fc.jsonValue().map((v) => JSON.stringify(v)))),
  prevHash: fc.oneof(fc.constant(GENESIS_HASH), fc.stringMatching(/^[0-9a-f]{64}$/)),
});

describe('hashOf', () => {
  it('is SHA-256 of prevHash and the RFC 8785 canonical JSON of the event, for any event', () => {
    fc.assert(
      fc.property(event, (e) => {
        expect(hashOf(e)).toBe(byDefinition(e));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches a shipment event as an import writes it', () => {
    const e = {
      seq: 42,
      occurredAt: new Date('2021-08-13T09:30:00.000Z'),
      actorId: null,
      action: 'shipment.recorded',
      entityType: 'shipment',
      entityId: '0b6a4f3e-9a53-4f5e-8d57-3c1f0f1c2d3e',
      requestId: null,
      reason: null,
      before: null,
      after: JSON.stringify({ reference: 'GD-KHI-2021-0813', destinationCountry: 'AE', units: 5500, fobValue: '27500.00', note: 'Ünïcödé \u2028 "quoted"' }),
      prevHash: GENESIS_HASH,
    };
    expect(hashOf(e)).toBe(byDefinition(e));
  });
});
