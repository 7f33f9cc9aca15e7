/**
 * Text that means one thing. The rules and their sources are in docs/rules.md ("Text"):
 *  - what is stored is Unicode NFC (UAX #15), the form keyboards on most systems produce; a request's strings are
 *    put in it on the way in (canonicalInput, app.setup.ts), CSV cells when they are read (csv-reader.ts);
 *  - a string that is not well-formed UTF-16 (a lone surrogate, which JSON can carry as `"\ud800"`) is refused:
 *    it cannot be stored as written, and the audit hash would cover something else than what is stored;
 *  - names and identifiers (NameText) hold no invisible characters, and spaces are plain spaces;
 *  - matching (duplicates, search) compares identity keys (identityKey), never the text itself.
 */

/** Unicode space separators other than the plain space (NBSP, thin space, ideographic space...). */
const OTHER_SPACES = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;

/**
 * Characters that show nothing: format characters (Cf: zero-width space, joiners, word joiner, soft hyphen, BOM,
 * direction marks, Arabic number signs) and every other default-ignorable code point (combining grapheme joiner,
 * variation selectors, Hangul fillers). In a name they make two look-alike names differ.
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const INVISIBLE_ALL = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
/** A surrogate code unit that is not half of a pair (in `u` mode a pair is one code point, not a Cs). */
const LONE_SURROGATE = /\p{Cs}/u;

/** Arabic-Indic (U+0660-0669) and Extended Arabic-Indic, i.e. Urdu/Persian (U+06F0-06F9), digits. */
const EASTERN_DIGITS = /[\u0660-\u0669\u06f0-\u06f9]/g;

/**
 * Arabic letters as typed on an Arabic keyboard, folded to the Urdu letter they stand for: kaf U+0643 to keheh
 * U+06A9; yeh U+064A and alef maksura U+0649 to Farsi yeh U+06CC; heh U+0647 to heh goal U+06C1 (Urdu writes
 * the letter "he" with heh goal; heh doachashmee U+06BE, the aspiration mark, stays distinct).
 */
const ARABIC_TO_URDU: Record<string, string> = { '\u0643': '\u06a9', '\u064a': '\u06cc', '\u0649': '\u06cc', '\u0647': '\u06c1' };
const ARABIC_LETTERS = /[\u0643\u064a\u0649\u0647]/g;

/** `U+200B`: how a character is named in a message. */
export function codePointName(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first invisible character in `text` (see INVISIBLE), or undefined. */
export function invisibleIn(text: string): string | undefined {
  return INVISIBLE.exec(text)?.[0];
}

/** Every space separator as a plain space, surrounding spaces trimmed: how a name or identifier is stored. */
export function plainSpaces(text: string): string {
  return text.replace(OTHER_SPACES, ' ').trim();
}

/** Arabic-Indic and Urdu digits as ASCII digits (a license number or IMEI typed on an Urdu keyboard). */
export function asciiDigits(text: string): string {
  return text.replace(EASTERN_DIGITS, (d) => String(d.charCodeAt(0) - (d >= '\u06f0' ? 0x06f0 : 0x0660)));
}

/**
 * The one key by which names, brands and license numbers are matched (duplicates and search), never shown:
 * NFKC (compatibility forms: full-width letters, ligatures, Arabic presentation forms, NBSP), invisible
 * characters dropped, case folded (lower case, and ß as ss, final sigma as sigma), Arabic-keyboard letters as
 * the Urdu letters they stand for, Eastern digits as ASCII, whitespace collapsed to one space and trimmed.
 * NFC and NFD spellings, full-width letters and Arabic-keyboard Urdu thus find, and collide with, each other.
 */
export function identityKey(text: string): string {
  return asciiDigits(
    text
      .normalize('NFKC')
      .replace(INVISIBLE_ALL, '')
      .toLowerCase()
      .replace(/ß/g, 'ss')
      .replace(/ς/g, 'σ')
      .replace(ARABIC_LETTERS, (c) => ARABIC_TO_URDU[c]),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether `text` is well-formed UTF-16: no lone surrogate. */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** A problem with a request's text: the field (dotted path) and what is wrong. */
export interface TextProblem {
  field: string;
  message: string;
}

/** Deeper JSON than this is refused: no registry input nests more than a few levels. */
export const MAX_DEPTH = 16;
// C0 control characters other than tab, line feed and carriage return (PostgreSQL cannot store NUL at all),
// and the bidirectional embedding, override and isolate controls, which can make a stored name display as
// something else ("Genuine \u202eDETCOVER" reads "Genuine REVOCTED"). Marks LRM/RLM stay allowed.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

const CONTROL_MESSAGE = 'must not contain control characters (such as NUL or text-direction overrides)';
const SURROGATE_MESSAGE = 'is not well-formed Unicode: it contains a lone surrogate (such as \\ud800), which is not a character';

/**
 * The one walk over a parsed JSON body or query, before any validator sees it (without recursion): refuses
 * nesting deeper than MAX_DEPTH, control characters and lone surrogates in strings and keys, and puts every string
 * in NFC, in place. Returns the first problem, naming the field by its path, or undefined.
 */
export function canonicalInput(input: unknown): TextProblem | undefined {
  if (typeof input === 'string') {
    if (CONTROL.test(input)) return { field: 'body', message: CONTROL_MESSAGE };
    return LONE_SURROGATE.test(input) ? { field: 'body', message: SURROGATE_MESSAGE } : undefined;
  }
  if (input === null || typeof input !== 'object') return undefined;
  const stack: { value: Record<string, unknown>; path: string; depth: number }[] = [{ value: input as Record<string, unknown>, path: '', depth: 0 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (depth >= MAX_DEPTH) return { field: path || 'body', message: `nests deeper than ${MAX_DEPTH} levels` };
    for (const key of Object.keys(value)) {
      const field = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (CONTROL.test(key)) return { field: path || 'body', message: 'has a key with control characters' };
      if (LONE_SURROGATE.test(key)) return { field: path || 'body', message: 'has a key that is not well-formed Unicode (a lone surrogate)' };
      const child = value[key];
      if (typeof child === 'string') {
        if (CONTROL.test(child)) return { field, message: CONTROL_MESSAGE };
        if (LONE_SURROGATE.test(child)) return { field, message: SURROGATE_MESSAGE };
        const nfc = child.normalize('NFC');
        if (nfc !== child) value[key] = nfc;
      } else if (child !== null && typeof child === 'object') {
        stack.push({ value: child as Record<string, unknown>, path: field, depth: depth + 1 });
      }
    }
  }
  return undefined;
}
