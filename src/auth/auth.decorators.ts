import { SetMetadata } from '@nestjs/common';
import type { StaffRole } from '../common/roles.js';

export const PUBLIC_KEY = 'registry:public';
export const ROLES_KEY = 'registry:roles';

/** Opens a route to anyone (no token). Every other route needs staff sign-in. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/**
 * The roles that may use a route. Without it: reads (GET) are open to every role, writes to OFFICER and ADMIN.
 */
export const Roles = (...roles: StaffRole[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/** Default roles by HTTP method (ANALYST reads and reports only). */
export function defaultRoles(method: string): StaffRole[] {
  return method === 'GET' || method === 'HEAD' ? ['ADMIN', 'OFFICER', 'ANALYST'] : ['ADMIN', 'OFFICER'];
}
