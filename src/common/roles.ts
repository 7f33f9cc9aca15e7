/** The staff roles (the request context carries one): every module that checks who may act reads them here. */
export const STAFF_ROLES = ['ADMIN', 'OFFICER', 'ANALYST'] as const;
/** ADMIN: everything, including staff; OFFICER: companies, licenses, events, shipments, imports; ANALYST: read and reports. */
export type StaffRole = (typeof STAFF_ROLES)[number];
