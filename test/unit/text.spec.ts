import { describe, expect, it } from 'vitest';
import { asciiDigits, canonicalInput, identityKey, invisibleIn, plainSpaces } from '../../src/common/text.js';

describe('identityKey: one key for names in every form', () => {
  it.each([
    ['NFC and NFD', 'Caf\u00e9 Mobile (Private) Limited', 'Cafe\u0301 Mobile (Private) Limited'],
    ['case', 'AIRLINK Communication', 'airlink communication'],
    ['full-width letters', '\uff21irlink Communication', 'Airlink Communication'],
    ['a zero-width space', 'Air\u200blink Communication', 'Airlink Communication'],
    ['a zero-width joiner', 'Air\u200dlink Communication', 'Airlink Communication'],
    ['a soft hyphen', 'Air\u00adlink Communication', 'Airlink Communication'],
    ['NBSP and doubled spaces', ' Airlink\u00a0 Communication ', 'Airlink Communication'],
    ['Arabic kaf and yeh for Urdu keheh and Farsi yeh', '\u0643\u064a\u0648 \u0645\u0648\u0628\u0627\u0626\u0644', '\u06a9\u06cc\u0648 \u0645\u0648\u0628\u0627\u0626\u0644'],
    ['alef maksura for Farsi yeh', '\u0639\u0644\u0649', '\u0639\u0644\u06cc'],
    ['Arabic heh for Urdu heh goal', '\u0634\u0627\u0647', '\u0634\u0627\u06c1'],
    ['Arabic presentation forms', '\ufedb\ufef4\u0648', '\u06a9\u06cc\u0648'],
    ['Urdu digits', 'MDM-\u06f2\u06f0\u06f2\u06f1', 'mdm-2021'],
    ['Arabic-Indic digits', 'MDM-\u0662\u0660\u0662\u0661', 'MDM-2021'],
    ['sharp s', 'Stra\u00dfe', 'STRASSE'],
  ])('%s match', (_name, a, b) => {
    expect(identityKey(a)).toBe(identityKey(b));
  });

  it.each([
    ['heh doachashmee is its own letter', '\u0628\u06be\u0627\u0631\u062a', '\u0628\u06c1\u0627\u0631\u062a'],
    ['yeh barree is its own letter', '\u06d2', '\u06cc'],
    ['different names', 'Airlink', 'Airlinks'],
  ])('%s: no match', (_name, a, b) => {
    expect(identityKey(a)).not.toBe(identityKey(b));
  });
});

describe('text on the way in', () => {
  it('asciiDigits reads Urdu and Arabic-Indic digits as ASCII', () => {
    expect(asciiDigits('\u06f3\u06f5\u0660\u0669')).toBe('3509');
  });

  it('plainSpaces makes every space separator a plain space and trims', () => {
    expect(plainSpaces('\u3000Inovi\u00a0Telecom\u202f ')).toBe('Inovi Telecom');
  });

  it.each(['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\ufeff', '\u200e', '\u034f', '\ufe0f'])('invisibleIn finds %j', (c) => {
    expect(invisibleIn(`Air${c}link`)).toBe(c);
  });

  it('canonicalInput puts strings in NFC in place and refuses lone surrogates by field', () => {
    const body = { legalName: 'Cafe\u0301', brands: ['Cafe\u0301'], nested: { reason: 'ok' } };
    expect(canonicalInput(body)).toBeUndefined();
    expect(body).toEqual({ legalName: 'Caf\u00e9', brands: ['Caf\u00e9'], nested: { reason: 'ok' } });
    expect(canonicalInput({ nested: { reason: 'x\ud800' } })).toMatchObject({ field: 'nested.reason' });
    expect(canonicalInput({ brands: ['ok', '\udc00'] })).toMatchObject({ field: 'brands[1]' });
    expect(canonicalInput({ ok: '\ud83d\ude00' })).toBeUndefined(); // a pair is a character (an emoji)
  });
});
