import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { it } from 'vitest';
import { startApp } from './support/app.js';
import { makeLicense } from './support/factories.js';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
it('dbg', async () => {
  const t = await startApp();
  await makeLicense(t, { licenseNumber: 'SNAP-1' });
  const server = t.app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const rows = Array.from({ length: 1500 }, (_, i) => `SNAP-1,OK-${i},2022-03-01,AE,10,SMARTPHONE`);
  const t0 = Date.now();
  let sent = 0;
  const r = await new Promise<string>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/imports/shipments', headers: { Authorization: `Bearer ${t.staff.OFFICER.token}`, 'Content-Type': 'text/csv' } }, (res) => {
      let text = ''; res.on('data', (c) => (text += c)); res.on('end', () => resolve(`${res.statusCode} ${text.slice(0, 200)}`));
    });
    req.on('error', reject);
    void (async () => {
      req.write('licenseNumber,reference,shippedOn,destinationCountry,units,deviceCategory\n');
      for (let i = 0; i < rows.length; i += 75) { req.write(`${rows.slice(i, i + 75).join('\n')}\n`); await sleep(100); }
      sent = Date.now() - t0;
      req.end();
    })();
  });
  console.log('sent after', sent, 'answered after', Date.now() - t0, r);
  await t.close();
}, 60000);
