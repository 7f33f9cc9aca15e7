import { Transform } from 'class-transformer';

/** Trims surrounding whitespace from a string input (other types are left for the validators to refuse). */
export const Trim = (): PropertyDecorator => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** Upper-cases and trims a string input. */
export const TrimUpper = (): PropertyDecorator => Transform(({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value));
