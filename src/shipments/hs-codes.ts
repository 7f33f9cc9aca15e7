/**
 * Harmonized System subheadings for mobile devices, by edition (World Customs Organization):
 * HS 2017, in force until 2021-12-31, classed every cellular phone as 8517.12; HS 2022, from 2022-01-01,
 * splits them into 8517.13 (smartphones) and 8517.14 (other telephones for cellular networks).
 */
import type { CalendarDate } from '../common/calendar-date.js';

export const DEVICE_CATEGORIES = ['SMARTPHONE', 'FEATURE_PHONE', 'TABLET', 'OTHER'] as const;
export type DeviceCategory = (typeof DEVICE_CATEGORIES)[number];

export const TECHNOLOGIES = ['2G', '3G', '4G', '5G'] as const;
export type Technology = (typeof TECHNOLOGIES)[number];

export const SHIPMENT_STATUSES = ['RECORDED', 'VOIDED'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

interface HsEdition {
  name: string;
  from: CalendarDate;
  to: CalendarDate;
  /** Codes valid in the edition, with the device categories each may carry. */
  codes: Record<string, readonly DeviceCategory[]>;
}

export const HS_EDITIONS: readonly HsEdition[] = [
  { name: 'HS 2017', from: '2017-01-01', to: '2021-12-31', codes: { '8517.12': DEVICE_CATEGORIES } },
  {
    name: 'HS 2022',
    from: '2022-01-01',
    to: '9999-12-31',
    codes: { '8517.13': ['SMARTPHONE', 'TABLET', 'OTHER'], '8517.14': ['FEATURE_PHONE', 'TABLET', 'OTHER'] },
  },
];

export const HS_CODE_PATTERN = /^\d{4}\.\d{2}$/;

export function hsEditionOn(date: CalendarDate): HsEdition | undefined {
  return HS_EDITIONS.find((e) => e.from <= date && date <= e.to);
}

/** The code a shipment gets when staff give none: 8517.12 under HS 2017; 8517.13 or 8517.14 under HS 2022. */
export function defaultHsCode(date: CalendarDate, category: DeviceCategory): string | undefined {
  const edition = hsEditionOn(date);
  if (!edition) return undefined;
  if (edition.name === 'HS 2017') return '8517.12';
  if (category === 'SMARTPHONE') return '8517.13';
  if (category === 'FEATURE_PHONE') return '8517.14';
  return undefined;
}

/** Why `hsCode` cannot be used for a `category` shipment on `date`, or undefined when it can. */
export function hsCodeProblem(hsCode: string, date: CalendarDate, category: DeviceCategory): string | undefined {
  const edition = hsEditionOn(date);
  if (!edition) return `no HS edition known for ${date}`;
  const categories = edition.codes[hsCode];
  const valid = Object.keys(edition.codes).join(', ');
  if (!categories) return `${hsCode} is not a mobile-device subheading in ${edition.name}, in force on ${date}; use ${valid}`;
  if (!categories.includes(category)) {
    const fitting = Object.entries(edition.codes).filter(([, cats]) => cats.includes(category)).map(([c]) => c);
    return `${hsCode} is not for ${category} in ${edition.name}; use ${fitting.join(' or ')}`;
  }
  return undefined;
}
