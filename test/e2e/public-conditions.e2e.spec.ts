import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';

interface Condition {
  code: string;
  title: string;
  titleUr: string;
  status: string;
  dueOn: string;
  extendedUntil?: string;
}

interface StaffObligation {
  id: string;
  code: string;
  period: number;
  version: number;
}

const VALUE = '12.45';
const NOTE = 'Karachi PCBA line, private note 7Q3';
const REASON = 'Checked at inspection, reason R9Z';

async function inoviOf(t: TestApp): Promise<{ id: string; companyId: string }> {
  const licenses = (await t.http.get('/api/v1/licenses').expect(200)).body.items as { id: string; companyId: string; licensee: string }[];
  return licenses.find((l) => l.licensee.startsWith('Inovi'))!;
}

describe('license conditions on the public profile (PUBLIC_CONDITIONS on, the default)', () => {
  let t: TestApp;
  let inovi: { id: string; companyId: string };
  const profile = async () => (await t.anon.get(`/public/v1/manufacturers/${inovi.companyId}`).expect(200)).body as { licenses: { conditions?: Condition[] }[] };
  const conditions = async () => (await profile()).licenses[0].conditions!;
  const staff = async (code: string) =>
    ((await t.http.get(`/api/v1/licenses/${inovi.id}/obligations`).expect(200)).body.items as StaffObligation[]).find((o) => o.code === code && o.period === 0)!;

  beforeAll(async () => {
    t = await startApp({ seed: true });
    inovi = await inoviOf(t);
    t.setToday('2022-04-09');
  });
  afterAll(async () => {
    t?.setToday(undefined);
    await t?.close();
  });

  it('each condition with its title (English and Urdu), status today and due date; the quarterly report by its current quarter only', async () => {
    const list = await conditions();
    expect(list.map((c) => c.code)).toEqual(['Y1_PACKAGING', 'Y1_CHARGERS', 'Y1_HANDS_FREE', 'Y1_PCBA', 'Y2_DEVICES', 'Y2_DISPLAYS', 'Y2_BATTERIES', 'ISO_9001', 'QUARTERLY_REPORT', 'LABEL_MADE_IN_PAKISTAN', 'SERIAL_RECORD']);
    const pcba = list.find((c) => c.code === 'Y1_PCBA')!;
    expect(pcba).toEqual({
      code: 'Y1_PCBA',
      title: 'Locally made motherboards (PCBA): at least 10% by the end of year 1',
      titleUr: 'مقامی طور پر تیار شدہ مدر بورڈ (PCBA): پہلے سال کے اختتام تک کم از کم 10%',
      status: 'OVERDUE',
      dueOn: '2022-04-08',
    });
    expect(list.filter((c) => c.code.startsWith('Y1_')).map((c) => c.status)).toEqual(['OVERDUE', 'OVERDUE', 'OVERDUE', 'OVERDUE']);
    expect(list.find((c) => c.code === 'ISO_9001')).toMatchObject({ status: 'PENDING', dueOn: '2023-04-08' });
    expect(list.find((c) => c.code === 'QUARTERLY_REPORT')).toEqual({ code: 'QUARTERLY_REPORT', title: expect.any(String), titleUr: expect.any(String), status: 'PENDING', dueOn: '2022-07-08' });
  });

  it('an accepted 12.45% PCBA submission makes it MET at once (the cached profile moves on); an extension shows EXTENDED until its day; never the value, note or reason', async () => {
    const pcba = await staff('Y1_PCBA');
    const submitted = await t.http.post(`/api/v1/licenses/${inovi.id}/obligations/${pcba.id}/submissions`).send({ submittedOn: '2022-04-01', reportedValue: VALUE, note: NOTE }).expect(201);
    await t.as('ADMIN').post(`/api/v1/licenses/${inovi.id}/obligations/${pcba.id}/decisions`).set('If-Match', `"${submitted.body.version}"`).send({ decision: 'ACCEPT', submissionId: submitted.body.submissions[0].id, reason: REASON }).expect(201);
    const chargers = await staff('Y1_CHARGERS');
    await t.as('ADMIN').post(`/api/v1/licenses/${inovi.id}/obligations/${chargers.id}/decisions`).set('If-Match', `"${chargers.version}"`).send({ decision: 'EXTEND', newDueOn: '2022-10-08', reason: REASON }).expect(201);

    const list = await conditions();
    expect(list.find((c) => c.code === 'Y1_PCBA')).toEqual({ code: 'Y1_PCBA', title: expect.any(String), titleUr: expect.any(String), status: 'MET', dueOn: '2022-04-08' });
    expect(list.find((c) => c.code === 'Y1_CHARGERS')).toEqual({ code: 'Y1_CHARGERS', title: expect.any(String), titleUr: expect.any(String), status: 'EXTENDED', dueOn: '2022-10-08', extendedUntil: '2022-10-08' });
    expect(list.find((c) => c.code === 'Y1_PACKAGING')!.status).toBe('OVERDUE');

    const json = (await t.anon.get(`/public/v1/manufacturers/${inovi.companyId}`).expect(200)).text;
    const pages = [(await t.anon.get(`/manufacturers/${inovi.companyId}`).expect(200)).text, (await t.anon.get(`/manufacturers/${inovi.companyId}?lang=ur`).expect(200)).text];
    for (const text of [json, ...pages]) {
      expect(text).not.toContain(VALUE);
      expect(text).not.toContain('7Q3');
      expect(text).not.toContain('R9Z');
      expect(text).not.toContain(submitted.body.submissions[0].id);
      expect(text).not.toContain(pcba.id);
      expect(text).not.toMatch(/reportedValue|submissions|decisions|recordedBy|decidedBy|sha256/);
    }
  });

  it('the page shows them in English, and in Urdu with Urdu titles and statuses', async () => {
    const en = (await t.anon.get(`/manufacturers/${inovi.companyId}`).expect(200)).text;
    expect(en).toContain('<h4>License conditions</h4>');
    expect(en).toContain('<bdi>Locally made motherboards (PCBA): at least 10% by the end of year 1</bdi> <span class="badge badge-met">MET</span>');
    expect(en).toMatch(/<bdi>ISO 9001 certification within 2 years<\/bdi> <span class="badge badge-pending">PENDING<\/span> <time datetime="2023-04-08">due by 8 April 2023<\/time>/);
    expect(en).toMatch(/badge-extended">EXTENDED<\/span> <time datetime="2022-10-08">until 8 October 2022<\/time>/);
    expect(en).toMatch(/badge-overdue">OVERDUE<\/span> <time datetime="2022-04-08">due by 8 April 2022<\/time>/);
    expect(en).not.toContain('مقامی طور پر تیار شدہ مدر بورڈ');

    const ur = (await t.anon.get(`/manufacturers/${inovi.companyId}?lang=ur`).expect(200)).text;
    expect(ur).toContain('<h4>لائسنس کی شرائط</h4>');
    expect(ur).toContain('<bdi>مقامی طور پر تیار شدہ مدر بورڈ (PCBA): پہلے سال کے اختتام تک کم از کم 10%</bdi> <span class="badge badge-met">پوری ہو گئی</span>');
    expect(ur).toContain('<bdi>دو سال کے اندر ISO 9001 سرٹیفکیشن</bdi> <span class="badge badge-pending">زیر التوا</span>');
    expect(ur).toContain('<span class="badge badge-overdue">تاخیر شدہ</span>');
    expect(ur).toContain('<span class="badge badge-extended">توسیع شدہ</span>');
    expect(ur).not.toContain('Locally made motherboards');
    expect(ur).not.toMatch(/>(MET|PENDING|OVERDUE|EXTENDED)</);
  });

  it('the list of manufacturers does not carry them (the profile only)', async () => {
    const { items } = (await t.anon.get('/public/v1/manufacturers?q=Inovi').expect(200)).body;
    expect(items[0].licenses[0].conditions).toBeUndefined();
  });
});

describe('PUBLIC_CONDITIONS=false', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ seed: true, publicConditions: false });
    t.setToday('2022-04-09');
  });
  afterAll(async () => {
    t?.setToday(undefined);
    await t?.close();
  });

  it('the profile has no conditions: no JSON field, no page section, in either language', async () => {
    const inovi = await inoviOf(t);
    const body = (await t.anon.get(`/public/v1/manufacturers/${inovi.companyId}`).expect(200)).body;
    expect(body.licenses.length).toBeGreaterThan(0);
    for (const l of body.licenses) expect(l).not.toHaveProperty('conditions');
    // The staff route still has them.
    expect((await t.http.get(`/api/v1/licenses/${inovi.id}/obligations`).expect(200)).body.items.length).toBeGreaterThan(0);
    const en = (await t.anon.get(`/manufacturers/${inovi.companyId}`).expect(200)).text;
    expect(en).not.toContain('License conditions');
    expect(en).not.toContain('class="conditions"');
    const ur = (await t.anon.get(`/manufacturers/${inovi.companyId}?lang=ur`).expect(200)).text;
    expect(ur).not.toContain('لائسنس کی شرائط');
    expect(ur).not.toContain('class="conditions"');
  });
});
