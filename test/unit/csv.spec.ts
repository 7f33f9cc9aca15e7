import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvString } from '../../src/common/csv.js';

/** The cells of one CSV row written by csvString, parsed back. */
function written(value: unknown): string {
  const rows = parse(csvString(['cell'], [{ cell: value }]), { columns: true }) as { cell: string }[];
  return rows[0].cell;
}

describe('CSV cells cannot run as formulas in a spreadsheet', () => {
  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+cmd|calc', "'+cmd|calc"],
    ['-2+3', "'-2+3"],
    ['@SUM(1)', "'@SUM(1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    // Full-width forms, which spreadsheets read as the ASCII ones.
    ['＝1+1', "'＝1+1"],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠SUM(1)', "'＠SUM(1)"],
    // Invisible characters before a formula: spaces, no-break space, zero-width space and joiner, BOM, bidi marks.
    [' =1+1', "' =1+1"],
    ['\u00a0=1+1', "'\u00a0=1+1"],
    ['\u200b=1+1', "'\u200b=1+1"],
    ['\u200d+1', "'\u200d+1"],
    ['\ufeff=1', "'\ufeff=1"],
    ['\u200f@x', "'\u200f@x"],
    ['\u00a0＝1', "'\u00a0＝1"],
  ])('%j is written as %j', (value, expected) => {
    expect(written(value)).toBe(expected);
  });

  it.each([
    ['Inovi Telecom', 'Inovi Telecom'],
    ['a=b', 'a=b'],
    [' Lahore', ' Lahore'],
    [-5, '-5'],
    [12.5, '12.5'],
    [null, ''],
    [true, 'true'],
  ])('%j is written as it is: %j', (value, expected) => {
    expect(written(value)).toBe(expected);
  });
});
