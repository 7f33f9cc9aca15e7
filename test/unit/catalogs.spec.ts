import { describe, expect, it } from 'vitest';
import { en, type Messages } from '../../src/common/i18n/en.js';
import { LANGS } from '../../src/common/i18n/lang.js';
import { MESSAGES } from '../../src/common/i18n/messages.js';

/** Every key path of a catalog, `chart.title` style; functions are leaves. */
function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort();
}

describe('the catalogs (common/i18n)', () => {
  // The @ts-expect-error lines are the test: `npm run typecheck` (tsc --noEmit) fails if one of them compiles.
  it('a catalog that lacks a key, or has one the English catalog lacks, does not compile', () => {
    const { skip: _skip, ...withoutSkip } = en;
    // @ts-expect-error: property 'skip' is missing
    const missingTopLevel: Messages = withoutSkip;

    const { yLabel: _yLabel, ...chartWithoutYLabel } = en.chart;
    // @ts-expect-error: property 'yLabel' is missing in 'chart'
    const missingNested: Messages = { ...en, chart: chartWithoutYLabel };

    const { SURRENDERED: _surrendered, ...someStatuses } = en.statuses;
    // @ts-expect-error: property 'SURRENDERED' is missing in 'statuses'
    const missingStatus: Messages = { ...en, statuses: someStatuses };

    // @ts-expect-error: 'spare' is not a key of the English catalog
    const extraKey: Messages = { ...en, spare: 'only in this language' };

    // @ts-expect-error: a message function must take what the English one takes
    const wrongSignature: Messages = { ...en, notFoundText: (n: number) => String(n) };

    for (const broken of [missingTopLevel, missingNested, missingStatus, extraKey, wrongSignature]) expect(broken).toBeTypeOf('object');
  });

  it('every language has the same keys, and no empty text', () => {
    for (const lang of LANGS) {
      expect(keys(MESSAGES[lang]), lang).toEqual(keys(en));
      const texts = keys(MESSAGES[lang]).map((path) => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], MESSAGES[lang]));
      for (const text of texts) expect(typeof text === 'function' || (typeof text === 'string' && text.trim().length > 0), lang).toBe(true);
    }
  });

  it('the Urdu catalog is Urdu and right to left', () => {
    expect(MESSAGES.ur.dir).toBe('rtl');
    expect(MESSAGES.ur.other).toBe('دیگر');
    expect(MESSAGES.ur.chart.yLabel).toMatch(/[\u0600-\u06FF]/);
    expect(MESSAGES.ur.error.titles[404]).toMatch(/[\u0600-\u06FF]/);
  });
});
