import type { AuthContext } from '../core/auth.ts';
import { forbidden } from '../core/faults.ts';

// Keystone's default policy as users expect it: an admin role (on any project, or a
// system-scoped token) administers identity; everyone else sees and changes only their
// own user, their own application credentials and the project their token is scoped to.

const DENIED = 'You are not authorized to perform the requested action';
const message = (action: string) => `${DENIED}: ${action}.`;

export function requireAdmin(auth: AuthContext, action: string): void {
  if (!auth.isAdmin) throw forbidden(message(action));
}

export function requireSelfOrAdmin(auth: AuthContext, userId: string, action: string): void {
  if (!auth.isAdmin && auth.userId !== userId) throw forbidden(message(action));
}

/** A project's record: admins, or a token scoped to that very project. */
export function requireProjectReader(auth: AuthContext, projectId: string, action: string): void {
  if (!auth.isAdmin && auth.projectId !== projectId) throw forbidden(message(action));
}

/** Application credentials are the owner's alone (Keystone: owner only, admins may read/delete). */
export function requireOwner(auth: AuthContext, userId: string, action: string, adminAllowed: boolean): void {
  if (auth.userId === userId) return;
  if (adminAllowed && auth.isAdmin) return;
  throw forbidden(message(action));
}
