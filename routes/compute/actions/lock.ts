import { z } from '@hono/zod-openapi';
import { CA } from '../../../src/compute/model.ts';
import { badRequest, forbidden } from '../../../src/core/faults.ts';
import { versionOf } from '../common.ts';
import { type ActionHandler, record } from './context.ts';

// lock/unlock (nova lock_server.py): a locked server refuses actions from non-admins (409);
// a lock set by an admin can only be lifted by an admin. 2.73 adds locked_reason (and a schema).

const Lock = z.object({ locked_reason: z.string().max(255).optional() }).strict().nullable().optional();

export const lockActions: Record<string, ActionHandler> = {
  async lock(a) {
    // Before 2.73 Nova validates nothing here: `{"lock": {}}` and `{"lock": null}` both lock.
    const body = a.body === undefined || !versionOf(a.c).atLeast('2.73') ? null : a.body;
    const parsed = Lock.safeParse(body);
    if (!parsed.success) throw badRequest('Invalid input for field/attribute lock.');
    const by = a.auth.isAdmin && a.auth.userId !== a.s.userId ? 'admin' : 'owner';
    await record(a, 'lock', { annotations: { [CA.lock]: JSON.stringify({ locked: true, reason: parsed.data?.locked_reason ?? null, by }) } });
    return undefined;
  },
  async unlock(a) {
    if (a.s.lock.locked && a.s.lock.by === 'admin' && !a.auth.isAdmin) {
      throw forbidden("Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be performed.");
    }
    await record(a, 'unlock', { annotations: { [CA.lock]: null } });
    return undefined;
  },
};
