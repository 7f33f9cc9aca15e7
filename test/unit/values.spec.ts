import { describe, expect, it } from 'vitest';
import { addDays, isCalendarDate, termEnd, todayIn } from '../../src/common/calendar-date.js';
import { ConfigError, loadConfig, parseDatabaseUrl } from '../../src/config/config.js';
import { countryCodeProblem } from '../../src/common/country.js';
import { centsToMoney, isMoney, moneyToCents } from '../../src/common/money.js';
import { defaultHsCode, hsCodeProblem } from '../../src/shipments/hs-codes.js';

describe('calendar dates', () => {
  it.each(['2021-04-09', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31'])('accepts %s', (d) => expect(isCalendarDate(d)).toBe(true));
  it.each(['2021-02-30', '2023-02-29', '1900-02-29', '2024', '2021-4-9', '2021-04-09T00:00:00Z', '20210409', '', ' 2021-04-09', '0000-01-01', '2021-13-01', '2021-00-10', '2021-04-00'])(
    'refuses %j',
    (d) => expect(isCalendarDate(d)).toBe(false),
  );
  it('refuses non-strings', () => {
    for (const v of [20210409, null, undefined, {}, [], new Date()]) expect(isCalendarDate(v)).toBe(false);
  });
  it('does calendar arithmetic without time zones', () => {
    expect(addDays('2021-12-31', 1)).toBe('2022-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(termEnd('2021-04-09', 10)).toBe('2031-04-08');
    expect(termEnd('2021-01-01', 10)).toBe('2030-12-31');
  });
  it("today is the regulator's day in its time zone", () => {
    // 20:00 UTC on 2021-08-12 is already 2021-08-13 in Karachi (UTC+5)
    expect(todayIn('Asia/Karachi', new Date('2021-08-12T20:00:00Z'))).toBe('2021-08-13');
    expect(todayIn('UTC', new Date('2021-08-12T20:00:00Z'))).toBe('2021-08-12');
  });
});

describe('money (USD decimal strings, integer cents)', () => {
  it('converts exactly', () => {
    expect(moneyToCents('27500.00')).toBe(2750000);
    expect(moneyToCents('0.1')).toBe(10);
    expect(moneyToCents('1234567.89')).toBe(123456789);
    expect(moneyToCents('9999999999999.99')).toBe(999999999999999);
    expect(centsToMoney(2750050)).toBe('27500.50');
    expect(centsToMoney(5)).toBe('0.05');
    expect(centsToMoney(999999999999999)).toBe('9999999999999.99');
  });
  it.each(['1,234.56', '1.234,56', '12.345', '-1', '+1', '1e3', '', ' 1', '01', '.5', '5.', '10000000000000'])('refuses %j', (v) => expect(isMoney(v)).toBe(false));
  it('refuses numbers (floats are never money)', () => expect(isMoney(27500.5)).toBe(false));
});

describe('destination country codes', () => {
  it('accepts alpha-2 in capitals', () => {
    expect(countryCodeProblem('AE')).toBeUndefined();
    expect(countryCodeProblem('GB')).toBeUndefined();
  });
  it.each([
    ['UAE', 'AE'],
    ['ARE', 'AE'],
    ['ae', 'AE'],
    ['UK', 'GB'],
    ['GBR', 'GB'],
    ['United Arab Emirates', 'AE'],
    ['784', 'AE'],
  ])('refuses %j with the hint %s', (given, hint) => expect(countryCodeProblem(given)).toContain(`use "${hint}"`));
  it('refuses unknown codes without a hint', () => {
    expect(countryCodeProblem('XX')).toMatch(/not an ISO 3166-1 alpha-2/);
    expect(countryCodeProblem(12)).toMatch(/alpha-2/);
  });
});

describe('HS codes by edition', () => {
  it('HS 2017 (until 2021-12-31): 8517.12 for every cellular phone', () => {
    expect(hsCodeProblem('8517.12', '2021-12-31', 'SMARTPHONE')).toBeUndefined();
    expect(hsCodeProblem('8517.13', '2021-12-31', 'SMARTPHONE')).toMatch(/HS 2017/);
    expect(defaultHsCode('2021-08-13', 'FEATURE_PHONE')).toBe('8517.12');
  });
  it('HS 2022 (from 2022-01-01): 8517.13 smartphones, 8517.14 other phones', () => {
    expect(hsCodeProblem('8517.12', '2022-01-01', 'SMARTPHONE')).toMatch(/HS 2022/);
    expect(hsCodeProblem('8517.13', '2022-01-01', 'SMARTPHONE')).toBeUndefined();
    expect(hsCodeProblem('8517.14', '2022-01-01', 'SMARTPHONE')).toMatch(/not for SMARTPHONE/);
    expect(hsCodeProblem('8517.14', '2022-01-01', 'FEATURE_PHONE')).toBeUndefined();
    expect(defaultHsCode('2022-01-01', 'SMARTPHONE')).toBe('8517.13');
    expect(defaultHsCode('2022-01-01', 'FEATURE_PHONE')).toBe('8517.14');
    expect(defaultHsCode('2022-01-01', 'TABLET')).toBeUndefined();
  });
});

describe('configuration', () => {
  it('defaults to the SQLite file data/registry.sqlite', () => {
    expect(loadConfig({})).toMatchObject({ port: 3000, seed: true, timeZone: 'Asia/Karachi', database: { engine: 'sqlite', path: 'data/registry.sqlite' } });
  });
  it('accepts sqlite:PATH, sqlite::memory: and postgres:// URLs', () => {
    expect(parseDatabaseUrl('sqlite:/tmp/x.sqlite')).toEqual({ engine: 'sqlite', path: '/tmp/x.sqlite' });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ engine: 'sqlite', path: ':memory:' });
    expect(parseDatabaseUrl('postgres://u@h:5432/db')).toEqual({ engine: 'postgres', url: 'postgres://u@h:5432/db' });
  });
  it('reads TRUST_PROXY as none, a number of proxies, or addresses and ranges; refuses anything else', () => {
    expect(loadConfig({}).trustProxy).toBeNull();
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toEqual({ hops: 1 });
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.1, 10.1.0.0/16 ,loopback' }).trustProxy).toEqual({ addresses: ['10.0.0.1', '10.1.0.0/16', 'loopback'] });
    for (const bad of ['0', '11', 'proxy.example', '10.0.0.0/99']) expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
  });
  it('four eyes is on unless FOUR_EYES=false; proposals lapse after PROPOSAL_TTL_DAYS (default 30, 1..365)', () => {
    expect(loadConfig({})).toMatchObject({ fourEyes: true, proposalTtlDays: 30 });
    expect(loadConfig({ FOUR_EYES: 'false', PROPOSAL_TTL_DAYS: '7' })).toMatchObject({ fourEyes: false, proposalTtlDays: 7 });
    expect(loadConfig({ FOUR_EYES: 'true' }).fourEyes).toBe(true);
    expect(() => loadConfig({ FOUR_EYES: 'sometimes' })).toThrow(/FOUR_EYES must be true or false/);
    expect(loadConfig({}).publicConditions).toBe(true);
    expect(loadConfig({ PUBLIC_CONDITIONS: 'false' }).publicConditions).toBe(false);
    expect(() => loadConfig({ PUBLIC_CONDITIONS: 'hidden' })).toThrow(/PUBLIC_CONDITIONS must be true or false/);
    for (const bad of ['0', '366', '1.5', 'a month']) expect(() => loadConfig({ PROPOSAL_TTL_DAYS: bad }), bad).toThrow(/PROPOSAL_TTL_DAYS must be a whole number of days 1..365/);
  });
  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://x/y', PORT: 'eighty', SEED: 'maybe', REGISTRY_TIME_ZONE: 'Mars/Olympus', LOG_LEVEL: 'loud', SHUTDOWN_GRACE_MS: 'soon' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['DATABASE_URL', 'PORT', 'SEED', 'REGISTRY_TIME_ZONE', 'LOG_LEVEL', 'SHUTDOWN_GRACE_MS']) expect(problems).toContain(name);
    expect(problems).not.toContain('mysql://x/y'); // a URL may hold a password: never echoed whole
  });
  it('needs JWT_SECRET (32+ characters) in production, and both bootstrap variables or neither', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/at least 32/);
    expect(() => loadConfig({ BOOTSTRAP_ADMIN_EMAIL: 'a@b.c' })).toThrow(/go together/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), LOG_SIGNING_KEY_FILE: '/etc/license-registry/log-key.pem' }).auth).toMatchObject({ jwtSecretGenerated: false, tokenTtlSeconds: 900 });
    expect(loadConfig({}).auth.jwtSecretGenerated).toBe(true);
  });

  it('needs LOG_SIGNING_KEY_FILE in production; LOG_ORIGIN is one line without spaces or "+"', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) })).toThrow(/LOG_SIGNING_KEY_FILE is required/);
    expect(loadConfig({}).log).toMatchObject({ signingKeyFile: 'data/log-signing-key.pem', signingKeyGenerated: true, checkpointDir: 'data/checkpoints' });
    expect(loadConfig({}).log.origin).toMatch(/^[a-z0-9.-]+\/license-registry$/);
    expect(loadConfig({ LOG_ORIGIN: 'pta.gov.pk/mdm-register' }).log.origin).toBe('pta.gov.pk/mdm-register');
    for (const bad of ['two words', 'a+b', 'line\nbreak', 'ü.example']) expect(() => loadConfig({ LOG_ORIGIN: bad }), bad).toThrow(/LOG_ORIGIN/);
  });

  it('refuses a postgres URL without a database name', () => {
    expect(() => parseDatabaseUrl('postgres://127.0.0.1:5432')).toThrow(/names no database/);
  });
});
