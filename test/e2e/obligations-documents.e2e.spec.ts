import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { makeLicense } from '../support/factories.js';

interface Submission {
  id: string;
  submittedOn: string;
  reportedValue: string | null;
  document: { sha256: string; mediaType: string; bytes: number } | null;
}

interface Obligation {
  id: string;
  code: string;
  period: number;
  version: number;
  submissions: Submission[];
}

const MiB = 1024 * 1024;
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('0000000dIHDR-a small picture')]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF a photograph of the certificate')]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A PDF of exactly `bytes` bytes. */
const pdfOf = (bytes: number) => Buffer.concat([PDF, Buffer.alloc(bytes - PDF.length, 0x20)]);

/** The files in the document store, by name (SHA-256), and what waits in its incoming directory. */
function stored(t: TestApp): { files: string[]; incoming: string[] } {
  const dir = t.documentsDir;
  const files = existsSync(dir) ? readdirSync(dir).filter((d) => d !== '.incoming').flatMap((d) => readdirSync(join(dir, d))) : [];
  const incoming = existsSync(join(dir, '.incoming')) ? readdirSync(join(dir, '.incoming')) : [];
  return { files: files.sort(), incoming };
}

describe('documents with submissions (multipart): PDF, PNG or JPEG by their bytes, at most 20 MiB, stored by SHA-256', () => {
  let t: TestApp;
  let license: { id: string; companyId: string };
  const list = async () => (await t.http.get(`/api/v1/licenses/${license.id}/obligations?on=2022-04-09`).expect(200)).body.items as Obligation[];
  const find = async (code: string) => (await list()).find((o) => o.code === code && o.period === 0)!;
  const path = (o: Obligation) => `/api/v1/licenses/${license.id}/obligations/${o.id}/submissions`;
  /** Posts a multipart submission: the fields, then each file given as [field, bytes, filename, contentType]. */
  const upload = (o: Obligation, fields: Record<string, string>, files: [string, Buffer, string, string][]) => {
    let r = t.http.post(path(o));
    for (const [k, v] of Object.entries(fields)) r = r.field(k, v);
    for (const [field, bytes, filename, contentType] of files) r = r.attach(field, bytes, { filename, contentType });
    return r;
  };

  beforeAll(async () => {
    t = await startApp();
    license = await makeLicense(t, { issuedOn: '2021-04-09' });
  });
  afterAll(() => t?.close());

  it('a PDF: 201, the submission names its sha256, type and size; kept once under its hash; staff download it with its type', async () => {
    const iso = await find('ISO_9001');
    const res = await upload(iso, { submittedOn: '2022-03-01', note: 'Certificate scan' }, [['document', PDF, 'iso.pdf', 'application/pdf']]).expect(201);
    const submission = res.body.submissions[0] as Submission;
    expect(submission).toMatchObject({ submittedOn: '2022-03-01', document: { sha256: sha(PDF), mediaType: 'application/pdf', bytes: PDF.length } });
    expect(stored(t)).toEqual({ files: [sha(PDF)], incoming: [] });
    expect(existsSync(join(t.documentsDir, sha(PDF).slice(0, 2), sha(PDF)))).toBe(true);

    const download = await t.as('ANALYST').get(`${path(iso)}/${submission.id}/document`).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-length']).toBe(String(PDF.length));
    expect(download.headers.etag).toBe(`"${sha(PDF)}"`);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="${sha(PDF)}.pdf"`);
    expect(Buffer.compare(download.body as Buffer, PDF)).toBe(0);
    await t.anon.get(`${path(iso)}/${submission.id}/document`).expect(401);

    // The audit record carries the hash, type and size, never the content.
    const audit = (await t.as('ADMIN').get(`/api/v1/audit?entityType=obligation&entityId=${iso.id}&action=obligation.submitted`).expect(200)).body.items;
    expect(audit[0].after.submission.document).toEqual({ sha256: sha(PDF), mediaType: 'application/pdf', bytes: PDF.length });
    expect(JSON.stringify(audit[0])).not.toContain('Catalog');
  });

  it('the same content twice is one file; a JPEG named .pdf and sent as application/pdf is stored as image/jpeg', async () => {
    const label = await find('LABEL_MADE_IN_PAKISTAN');
    await upload(label, { submittedOn: '2022-03-02' }, [['document', PNG, 'label.png', 'image/png']]).expect(201);
    const again = await upload(label, { submittedOn: '2022-03-03' }, [['document', PNG, 'label-again.png', 'application/octet-stream']]).expect(201);
    expect(again.body.submissions.map((s: Submission) => s.document?.sha256)).toEqual([sha(PNG), sha(PNG)]);
    const serial = await find('SERIAL_RECORD');
    const jpeg = await upload(serial, { submittedOn: '2022-03-04' }, [['document', JPEG, 'record.pdf', 'application/pdf']]).expect(201);
    expect(jpeg.body.submissions[0].document).toEqual({ sha256: sha(JPEG), mediaType: 'image/jpeg', bytes: JPEG.length });
    expect(stored(t).files).toEqual([sha(PDF), sha(PNG), sha(JPEG)].sort());
    const download = await t.http.get(`${path(serial)}/${jpeg.body.submissions[0].id}/document`).expect(200);
    expect(download.headers['content-type']).toBe('image/jpeg');
  });

  it('other content is 415 naming `document`, whatever its name or declared type; nothing recorded or stored', async () => {
    const iso = await find('ISO_9001');
    const before = (await find('ISO_9001')).submissions.length;
    for (const [bytes, name, type] of [
      [Buffer.from('just text, not a PDF'), 'scan.pdf', 'application/pdf'],
      [Buffer.from('GIF89a....'), 'scan.gif', 'image/gif'],
      [Buffer.from('PK\x03\x04 a zip file', 'latin1'), 'scan.png', 'image/png'],
      [Buffer.alloc(0), 'empty.pdf', 'application/pdf'],
    ] as const) {
      const res = await upload(iso, { submittedOn: '2022-03-01' }, [['document', bytes, name, type]]).expect(415);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'DOCUMENT_TYPE_NOT_ACCEPTED', errors: [{ field: 'document' }], accepted: ['application/pdf', 'image/png', 'image/jpeg'] });
    }
    expect((await find('ISO_9001')).submissions).toHaveLength(before);
    expect(stored(t).incoming).toEqual([]);
  });

  it('exactly 20 MiB is taken; 20 MiB + 1 byte is 413 naming `document`, nothing recorded or stored', async () => {
    const big = pdfOf(20 * MiB);
    const pkg = await find('Y1_PACKAGING');
    const ok = await upload(pkg, { submittedOn: '2022-03-05', reportedValue: '2.5' }, [['document', big, 'big.pdf', 'application/pdf']]).expect(201);
    expect(ok.body.submissions[0].document).toMatchObject({ bytes: 20 * MiB, sha256: sha(big) });
    const tooBig = pdfOf(20 * MiB + 1);
    const chargers = await find('Y1_CHARGERS');
    const res = await upload(chargers, { submittedOn: '2022-03-05', reportedValue: '2.5' }, [['document', tooBig, 'big.pdf', 'application/pdf']]).expect(413);
    expect(res.body).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', errors: [{ field: 'document' }], maxBytes: 20971520 });
    expect((await find('Y1_CHARGERS')).submissions).toEqual([]);
    expect(stored(t).files).not.toContain(sha(tooBig));
    expect(stored(t).incoming).toEqual([]);
  });

  it('a refusal of the fields or a rule stores nothing: 400 naming the field, 422 SUBMITTED_ON_IN_FUTURE, an unknown or second file field', async () => {
    const other = Buffer.concat([PDF, Buffer.from('% another document')]);
    const pcba = await find('Y1_PCBA');
    const iso = await find('ISO_9001');
    const bad = await upload(pcba, { submittedOn: '2022-03-01' }, [['document', other, 'a.pdf', 'application/pdf']]).expect(400);
    expect(bad.body.errors[0].field).toBe('reportedValue');
    expect((await upload(iso, { submittedOn: '2022-13-01' }, [['document', other, 'a.pdf', 'application/pdf']]).expect(400)).body.errors[0].field).toBe('submittedOn');
    expect((await upload(iso, { submittedOn: '2022-03-01', colour: 'red' }, [['document', other, 'a.pdf', 'application/pdf']]).expect(400)).body.errors[0].field).toBe('colour');
    expect((await upload(iso, { submittedOn: '2999-01-01' }, [['document', other, 'a.pdf', 'application/pdf']]).expect(422)).body.code).toBe('SUBMITTED_ON_IN_FUTURE');
    expect((await upload(iso, { submittedOn: '2022-03-01' }, [['file', other, 'a.pdf', 'application/pdf']]).expect(400)).body.errors[0].field).toBe('file');
    const two = await upload(iso, { submittedOn: '2022-03-01' }, [['document', other, 'a.pdf', 'application/pdf'], ['document', PNG, 'b.png', 'image/png']]).expect(400);
    expect(two.body.errors[0].field).toBe('document');
    await t.http.post(`/api/v1/licenses/${license.id}/obligations/00000000-0000-4000-8000-000000000000/submissions`).field('submittedOn', '2022-03-01').attach('document', other, 'a.pdf').expect(404);
    expect((await find('Y1_PCBA')).submissions).toEqual([]);
    expect(stored(t).files).not.toContain(sha(other));
    expect(stored(t).incoming).toEqual([]);
  });

  it('without a document: JSON as before, multipart fields only; the document route is 404 for it', async () => {
    const hf = await find('Y1_HANDS_FREE');
    const res = await upload(hf, { submittedOn: '2022-03-06', reportedValue: '1' }, []).expect(201);
    const submission = res.body.submissions[0] as Submission;
    expect(submission).toMatchObject({ reportedValue: '1', document: null });
    expect((await t.http.get(`${path(hf)}/${submission.id}/document`).expect(404)).body.code).toBe('DOCUMENT_NOT_FOUND');
    expect((await t.http.get(`${path(hf)}/00000000-0000-4000-8000-000000000000/document`).expect(404)).body.code).toBe('SUBMISSION_NOT_FOUND');
    await t.http.post(path(hf)).set('Content-Type', 'text/csv').send('submittedOn\n2022-03-01\n').expect(415);
  });

  it('Idempotency-Key: a JSON retry is answered once; with multipart it is refused (400), nothing recorded', async () => {
    const displays = await find('Y2_DISPLAYS');
    const body = { submittedOn: '2022-03-07', reportedValue: '3' };
    const first = await t.http.post(path(displays)).set('Idempotency-Key', 'submission-displays-1').send(body).expect(201);
    const retry = await t.http.post(path(displays)).set('Idempotency-Key', 'submission-displays-1').send(body).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await find('Y2_DISPLAYS')).submissions).toHaveLength(1);
    expect((await t.http.post(path(displays)).set('Idempotency-Key', 'submission-displays-1').send({ ...body, reportedValue: '4' }).expect(422)).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const multipart = await t.http.post(path(displays)).set('Idempotency-Key', 'submission-displays-2').field('submittedOn', '2022-03-07').field('reportedValue', '3').attach('document', PDF, 'd.pdf').expect(400);
    expect(multipart.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_NOT_SUPPORTED', errors: [{ field: 'Idempotency-Key' }] });
    expect((await find('Y2_DISPLAYS')).submissions).toHaveLength(1);
  });

  it('the public profile never shows documents, their hashes, values or notes', async () => {
    const profile = await t.anon.get(`/public/v1/manufacturers/${license.companyId}`).expect(200);
    expect(profile.body.licenses[0].conditions.length).toBeGreaterThan(0);
    for (const secret of [sha(PDF), sha(PNG), sha(JPEG), 'Certificate scan', 'document', 'sha256', '2.5']) expect(profile.text).not.toContain(secret);
    const page = await t.anon.get(`/manufacturers/${license.companyId}`).expect(200);
    for (const secret of [sha(PDF), sha(PNG), 'Certificate scan']) expect(page.text).not.toContain(secret);
  });
});
