import { asciiDigits } from './text.js';

/**
 * IMEI (3GPP TS 23.003): 14 digits (TAC of 8 + serial of 6) and a Luhn check digit, 15 in all; kept as text so
 * leading zeros stay. Accepted and normalised to 15 digits:
 *  - 15 digits with a valid check digit: as given;
 *  - 14 digits (no check digit): the check digit is computed and appended;
 *  - 16 digits (IMEISV: 14 digits + a 2-digit software version): the first 14, with the check digit.
 * Anything else is refused with the reason: a spreadsheet's `3.56938E+14`, letters, a wrong check digit.
 */
export type ImeiResult = { imei: string; tac: string } | { error: string };

export function luhnCheckDigit(digits14: string): number {
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let d = digits14.charCodeAt(i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function normaliseImei(raw: unknown): ImeiResult {
  if (typeof raw !== 'string') return { error: 'must be a string of digits (an IMEI)' };
  // The common case, 15 ASCII digits with their check digit, as given (the public device check asks it per request).
  if (raw.length === 15 && isAsciiDigits(raw) && luhnCheckDigit(raw) === raw.charCodeAt(14) - 48) return { imei: raw, tac: raw.slice(0, 8) };
  const value = asciiDigits(raw.normalize('NFKC')).trim(); // typed with Urdu or full-width digits: the same IMEI
  const shown = JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}...` : value);
  if (/^\d(\.\d+)?E\+?\d+$/i.test(value)) return { error: `${shown} is a number in scientific notation (a spreadsheet rounded it): format the IMEI column as text` };
  if (!/^\d+$/.test(value)) return { error: `${shown} must contain digits only` };
  let body: string;
  if (value.length === 15) {
    body = value.slice(0, 14);
    if (luhnCheckDigit(body) !== Number(value[14])) return { error: `${shown} has a wrong check digit (expected ${luhnCheckDigit(body)})` };
  } else if (value.length === 14 || value.length === 16) {
    body = value.slice(0, 14);
  } else {
    return { error: `${shown} has ${value.length} digits; an IMEI has 15 (14 without its check digit, 16 as IMEISV)` };
  }
  const imei = `${body}${luhnCheckDigit(body)}`;
  return { imei, tac: imei.slice(0, 8) };
}

function isAsciiDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
