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

/** 2750050 -> "27500.50". */
export function centsToMoney(cents: number): string {
  const whole = Math.floor(cents / 100);
  return `${whole}.${String(cents % 100).padStart(2, '0')}`;
}
