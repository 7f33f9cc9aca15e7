import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { luhnCheckDigit } from '../../src/common/imei.js';
import { Transactions } from '../../src/database/transactions.js';
import type { CreateShipmentDto } from '../../src/shipments/dto/shipment.dto.js';
import { ShipmentsService } from '../../src/shipments/shipments.service.js';
import { startApp, type TestApp } from '../support/app.js';
import { makeLicense, voidShipment } from '../support/factories.js';

const imei = (n: number) => {
  const body = `35${String(n).padStart(12, '0')}`;
  return `${body}${luhnCheckDigit(body)}`;
};

/** ShipmentsService.recordMany: the one path by which the API, imports and the seed record shipments. */
describe('recording shipments in a batch', () => {
  let t: TestApp;
  let shipments: ShipmentsService;
  let license: { id: string; licenseNumber: string };
  const input = (reference: string, extra: Partial<CreateShipmentDto> = {}): CreateShipmentDto =>
    ({ licenseNumber: license.licenseNumber, reference, shippedOn: '2021-08-13', destinationCountry: 'AE', units: 2, deviceCategory: 'SMARTPHONE', ...extra }) as CreateShipmentDto;
  const record = (inputs: CreateShipmentDto[], options: Parameters<ShipmentsService['recordMany']>[2]) => t.app.get(Transactions).run((m) => shipments.recordMany(m, inputs, options));

  beforeAll(async () => {
    t = await startApp();
    shipments = t.app.get(ShipmentsService);
    license = await makeLicense(t);
  });
  afterAll(() => t?.close());

  it('classifies each input against what is stored and what came before it, in the order given', async () => {
    const first = await record([input('B-1'), input('B-2', { units: 3 }), input('B-V')], { existing: 'compare', importId: '00000000-0000-4000-8000-000000000001' });
    expect(first.map((o) => o.kind)).toEqual(['created', 'created', 'created']);
    const voided = first[2].kind === 'created' ? first[2].shipment.id : '';
    await voidShipment(t, voided, { reason: 'entered twice' });

    const outcomes = await record(
      [
        input('B-1'), // stored identically by another import: an import run again
        input('B-2', { units: 4 }), // stored with other units
        input('B-V'), // stored and voided
        input('B-3'), // new
        input('B-3'), // the same reference again in this batch
        input('B-4', { shippedOn: '2099-01-01' }), // refused by a rule
      ],
      { existing: 'compare', importId: '00000000-0000-4000-8000-000000000002' },
    );
    expect(outcomes.map((o) => o.kind)).toEqual(['unchanged', 'differs', 'differs', 'created', 'repeated', 'refused']);
    expect(outcomes[1]).toMatchObject({ field: 'units', storedValue: 3, given: 4 });
    expect(outcomes[2]).toMatchObject({ field: 'reference', storedValue: 'a voided shipment' });
    expect(outcomes[5]).toMatchObject({ problem: { code: 'SHIPPED_ON_IN_FUTURE' } });
    const listed = await t.http.get('/api/v1/shipments').query({ licenseId: license.id, limit: 100 }).expect(200);
    expect(listed.body.items.map((s: { reference: string }) => s.reference).sort()).toEqual(['B-1', 'B-2', 'B-3', 'B-V']);
  });

  it("with existing: 'refuse' (the API) any stored reference is `existing`; each created shipment is audited with the import named", async () => {
    const [outcome] = await record([input('B-1')], { existing: 'refuse' });
    expect(outcome.kind).toBe('existing');
    const [created] = await record([input('B-5')], { existing: 'compare', importId: '00000000-0000-4000-8000-000000000003' });
    const id = created.kind === 'created' ? created.shipment.id : '';
    const history = await t.as('ADMIN').get('/api/v1/audit').query({ entityType: 'shipment', entityId: id }).expect(200);
    expect(history.body.items).toEqual([expect.objectContaining({ action: 'shipment.recorded', reason: 'import 00000000-0000-4000-8000-000000000003' })]);
  });

  it('a device already exported refuses the batch with 409 IMEI_ALREADY_EXPORTED, and nothing of it is written', async () => {
    await record([input('D-1', { imeis: [imei(1), imei(2)] })], { existing: 'refuse' });
    await expect(record([input('D-2', { imeis: [imei(3), imei(4)] }), input('D-3', { imeis: [imei(2), imei(5)] })], { existing: 'refuse' })).rejects.toMatchObject({ code: 'IMEI_ALREADY_EXPORTED' });
    const listed = await t.http.get('/api/v1/shipments').query({ licenseId: license.id, limit: 100 }).expect(200);
    expect(listed.body.items.map((s: { reference: string }) => s.reference)).not.toContain('D-2');
  });
});
