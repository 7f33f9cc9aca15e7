// The bare baseline for bench/public.mjs: Fastify (logger off) + one driver (better-sqlite3, or pg on
// PostgreSQL), answering the public reads the benchmark sends to the registry from the same database, with the
// fewest queries that can answer them and no framework, validation, cache or rate limit in between.
//
//   BARE_DATABASE_URL=sqlite:/tmp/registry-bench-public.sqlite PORT=3101 node bench/bare-server.mjs
//   BARE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_bench_public PORT=3101 node bench/bare-server.mjs
//
// Started and stopped by bench/public.mjs; it prints "listening" once it answers.
import Fastify from 'fastify';

const url = process.env.BARE_DATABASE_URL ?? 'sqlite:/tmp/registry-bench-public.sqlite';
const port = Number(process.env.PORT ?? 3101);
const host = process.env.HOST ?? '127.0.0.1';
const postgres = /^postgres(ql)?:\/\//.test(url);

const SQL = {
  license:
    'SELECT l.id, l.license_number, l.type, l.issued_on, l.brands, c.id AS company_id, c.legal_name, c.trade_name, c.city ' +
    'FROM licenses l JOIN companies c ON c.id = l.company_id WHERE l.license_number_key = $1',
  events: 'SELECT type, effective_on, status_after, expires_on_after FROM license_events WHERE license_id = $1 ORDER BY seq',
  device: 'SELECT s.shipped_on FROM devices d JOIN shipments s ON s.no = d.shipment_no WHERE d.imei = $1',
  manufacturers: "SELECT id, legal_name, trade_name, city FROM companies WHERE search_key LIKE $1 ESCAPE '\\' LIMIT 20",
  home: 'SELECT id, legal_name, city FROM companies ORDER BY legal_name_key LIMIT 20',
};

/** query(name, params) -> rows; SQLite statements prepared once, PostgreSQL named (prepared once per connection). */
let query;
let close;
if (postgres) {
  const { default: pg } = await import('pg');
  pg.types.setTypeParser(1082, (v) => v); // dates as YYYY-MM-DD, as the registry reads them
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  query = async (name, params) => (await pool.query({ name, text: SQL[name], values: params })).rows;
  close = () => pool.end();
} else {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(url.replace(/^sqlite:/, ''), { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  // Read as the registry's readers read (src/database/data-source.options.ts): through a 1 GiB memory map.
  db.pragma(`mmap_size = ${1024 ** 3}`);
  const statements = {};
  for (const [name, text] of Object.entries(SQL)) {
    try {
      statements[name] = db.prepare(text.replace(/\$\d+/g, '?'));
    } catch (e) {
      // e.g. no devices table yet: that route answers 500 with the reason.
      statements[name] = { all: () => { throw e; } };
    }
  }
  query = async (name, params) => statements[name].all(...params);
  close = async () => db.close();
}

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const app = Fastify({ logger: false });

app.get('/public/v1/licenses/:licenseNumber', async (request, reply) => {
  const number = request.params.licenseNumber.trim();
  const on = typeof request.query.on === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(request.query.on) ? request.query.on : new Date().toISOString().slice(0, 10);
  const [l] = await query('license', [number.toUpperCase()]);
  if (!l) return reply.code(404).send({ found: false, licenseNumber: number });
  const events = await query('events', [l.id]);
  // The status on the day: the last lifecycle step in effect then (none before the grant), expired after its term.
  let last;
  for (const e of events) if (e.type !== 'AMENDED' && e.effective_on <= on) last = e;
  const status = !last ? 'NOT_YET_EFFECTIVE' : (last.status_after === 'ACTIVE' || last.status_after === 'SUSPENDED') && on > last.expires_on_after ? 'EXPIRED' : last.status_after;
  return {
    found: true,
    licenseNumber: l.license_number,
    type: l.type,
    status,
    valid: status === 'ACTIVE',
    on,
    holder: { id: l.company_id, legalName: l.legal_name, tradeName: l.trade_name, city: l.city },
    issuedOn: l.issued_on,
    expiresOn: (last ?? events[0])?.expires_on_after ?? null,
    brands: JSON.parse(l.brands),
    lastStatusChange: last ? { type: last.type, effectiveOn: last.effective_on, expiresOn: last.expires_on_after } : null,
  };
});

app.get('/public/v1/devices/:imei', async (request, reply) => {
  const imei = request.params.imei;
  if (!/^\d{15}$/.test(imei)) return reply.code(400).send({ imei, error: 'not 15 digits' });
  const [row] = await query('device', [postgres ? imei : Number(imei)]);
  if (!row) return reply.code(404).send({ imei, exported: false });
  return { imei, exported: true, shippedOn: row.shipped_on, byLicensedManufacturer: true };
});

app.get('/public/v1/manufacturers', async (request) => {
  const q = String(request.query.q ?? '').trim().toLowerCase();
  const rows = await query('manufacturers', [`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
  return { items: rows.map((r) => ({ id: r.id, legalName: r.legal_name, tradeName: r.trade_name, city: r.city })), limit: 20 };
});

app.get('/', async (request, reply) => {
  const rows = await query('home', []);
  const items = rows.map((r) => `<li><a href="/manufacturers/${r.id}">${esc(r.legal_name)}</a> ${esc(r.city)}</li>`).join('');
  return reply
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>License Registry</title></head><body><h1>Licensed manufacturers</h1><ul>${items}</ul></body></html>`);
});

app.get('/health', async () => ({ status: 'ok' }));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    void app.close().then(close).finally(() => process.exit(0));
  });
}

await app.listen({ port, host });
console.log(`listening on http://${host}:${port} (${postgres ? 'postgres' : 'sqlite'})`);
