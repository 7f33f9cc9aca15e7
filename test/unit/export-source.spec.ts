import { describe, expect, it } from 'vitest';
import { splitRange } from '../../src/shipments/export-source.js';

describe('a report range split into whole months (rollup) and end days (shipments)', () => {
  it.each([
    [undefined, undefined, { from: undefined, to: undefined }, []],
    ['2021-07-01', '2022-06-30', { from: '2021-07', to: '2022-06' }, []],
    ['2021-07-02', '2022-06-30', { from: '2021-08', to: '2022-06' }, [['2021-07-02', '2021-07-31']]],
    ['2021-07-01', '2022-06-29', { from: '2021-07', to: '2022-05' }, [['2022-06-01', '2022-06-29']]],
    ['2021-08-13', undefined, { from: '2021-09', to: undefined }, [['2021-08-13', '2021-08-31']]],
    [undefined, '2024-02-28', { from: undefined, to: '2024-01' }, [['2024-02-01', '2024-02-28']]],
    [undefined, '2024-02-29', { from: undefined, to: '2024-02' }, []],
    [undefined, '2023-02-28', { from: undefined, to: '2023-02' }, []],
    ['2021-08-01', '2021-08-31', { from: '2021-08', to: '2021-08' }, []],
    ['2021-08-02', '2021-08-30', null, [['2021-08-02', '2021-08-30']]],
    ['2021-08-13', '2021-09-10', null, [['2021-08-13', '2021-08-31'], ['2021-09-01', '2021-09-10']]],
    ['2021-12-15', '2022-01-31', { from: '2022-01', to: '2022-01' }, [['2021-12-15', '2021-12-31']]],
    ['2022-01-01', '9999-12-31', { from: '2022-01', to: '9999-12' }, []],
    ['9999-12-02', undefined, null, [['9999-12-02', '9999-12-31']]],
    [undefined, '0001-01-30', null, [['0001-01-01', '0001-01-30']]],
  ])('%s..%s', (from, to, months, days) => {
    expect(splitRange(from, to)).toEqual({ months, days });
  });
});
