import type { ValueTransformer } from 'typeorm';

/** The last instant written as text: the rows of one write share their instant (an import writes 200,000 at once). */
let lastInstant = { time: NaN, text: '' };

/**
 * Instants are stored as ISO-8601 UTC text (`2026-11-29T14:03:56.123Z`) on both engines: the same bytes on
 * SQLite and PostgreSQL, sortable as text, never converted by a driver's time zone.
 */
export const instantTransformer: ValueTransformer = {
  to: (value: Date | string | null | undefined) => {
    if (!(value instanceof Date)) return value;
    const time = value.getTime();
    if (time !== lastInstant.time) lastInstant = { time, text: value.toISOString() };
    return lastInstant.text;
  },
  from: (value: string | null) => (value == null ? value : new Date(value)),
};

/** PostgreSQL returns bigint as a string; amounts here (USD cents) stay far below 2^53. */
export const bigintTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value == null ? null : Number(value)),
};
