/**
 * Money is USD, exchanged as a decimal string with at most 2 decimals ("27500.00") and stored as integer
 * cents. Never a float.
 */
const MONEY_RE = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/;

export const MONEY_FORMAT = 'a decimal string in USD with at most 2 decimals, e.g. "27500.00" (max 9999999999999.99)';

export function isMoney(value: unknown): value is string {
  return typeof value === 'string' && MONEY_RE.test(value);
}

/** "27500.5" -> 2750050. Throws on anything isMoney rejects. */
export function moneyToCents(value: string): number {
  const m = MONEY_RE.exec(value);
  if (!m) throw new Error(`not a money amount: ${value}`);
  const cents = (m[2] ?? '.').slice(1).padEnd(2, '0');
  return Number(m[1]) * 100 + Number(cents);
}

/** 2750050 -> "27500.50" (numbers or bigints: sums of many amounts can pass 2^53 cents). */
export function centsToMoney(cents: number | bigint): string {
  const c = BigInt(cents);
  return `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;
}

/** Adds decimal USD strings exactly (as bigint cents); null when there is none. */
export function sumMoney(values: (string | null | undefined)[]): string | null {
  let total = 0n;
  let any = false;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const [whole, fraction = ''] = v.split('.');
    total += BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2) || '0');
    any = true;
  }
  return any ? centsToMoney(total) : null;
}
