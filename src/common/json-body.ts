import { parse } from 'lossless-json';
import sjson from 'secure-json-parse';

/** An integer literal: optional minus, no leading zeros, no fraction, no exponent. */
const INTEGER_LITERAL = /^-?(0|[1-9]\d*)$/;

/**
 * A JSON number that is not an integer literal in the safe range (`1e3`, `10.0`, `4.99999999999999999`,
 * `9007199254740993`), kept as the text it was written as. No field accepts it: an integer field refuses it as
 * not a whole number (naming the field), where JSON.parse would have made 1000, 10 or 5 of it; no field takes a
 * fractional number (money is a decimal string).
 */
export class NumberLiteral {
  constructor(readonly literal: string) {}
}

/**
 * Parses a request body as JSON keeping each number's source text (lossless-json): integer literals become
 * numbers, every other number a NumberLiteral. A key given twice with different values is refused (JSON.parse
 * would keep the last), and so are `__proto__` and `constructor.prototype` keys (secure-json-parse), as
 * Fastify's own parser does. Throws SyntaxError with the position.
 */
export function parseJsonBody(text: string): unknown {
  const value = parse(text, null, (literal) => (INTEGER_LITERAL.test(literal) && Number.isSafeInteger(Number(literal)) ? Number(literal) : new NumberLiteral(literal)));
  if (value !== null && typeof value === 'object') sjson.scan(value, { protoAction: 'error', constructorAction: 'error' });
  return value;
}
