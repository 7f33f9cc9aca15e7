import { en, type Messages } from './en.js';
import type { Lang } from './lang.js';
import { ur } from './ur.js';

export type { Messages };

/** Each language's catalog. */
export const MESSAGES: Record<Lang, Messages> = { en, ur };
