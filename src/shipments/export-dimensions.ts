/** Time dimensions: calendar month, quarter and year, and Pakistan's fiscal year (1 July - 30 June). */
export const TIME_DIMENSIONS = ['month', 'quarter', 'year', 'fiscalYear'] as const;
/** What exports can be grouped by: a time dimension and the dimensions the export rollup keeps. */
export const DIMENSIONS = [...TIME_DIMENSIONS, 'destination', 'company', 'license', 'deviceCategory', 'technology', 'hsCode'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
