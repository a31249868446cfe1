import { z } from '@hono/zod-openapi';
import { CA } from '../../../src/compute/model.ts';
import { notFound, notImplemented } from '../../../src/core/faults.ts';
import { netContext } from '../../../src/network/context.ts';
import { changeServerGroup, releaseServerPorts } from '../../../src/network/server-ports.ts';
import { requireAdmin } from '../common.ts';
import { invalidState, serverStore } from '../server-common.ts';
import { type ActionHandler, bodyOf, record } from './context.ts';

// The other actions: state reset (admins), force delete and restore, security groups (applied by the
// network service), and the ones KubeVirt (or this gateway) cannot do yet, which
// answer Nova's 501.

const Named = z.object({ name: z.string().min(1).max(255) });
const ResetState = z.object({ state: z.enum(['active', 'error']) });

const unsupported = (message: string): ActionHandler => async () => {
  throw notImplemented(message);
};

export const miscActions: Record<string, ActionHandler> = {
  async 'os-resetState'(a) {
    requireAdmin(a.auth, 'os_compute_api:os-admin-actions:reset_state');
    const { state } = bodyOf(a, ResetState);
    await record(a, 'reset-state', { state: state === 'error' ? 'error' : null, annotations: { [CA.task]: null } });
    return undefined;
  },
  // Nova's deferred delete: Dicot deletes at once (reclaim_instance_interval 0), so no server is
  // ever SOFT_DELETED: forceDelete deletes, restore finds nothing to restore.
  async forceDelete(a) {
    await serverStore(a.c).delete(a.s);
    await releaseServerPorts(netContext(a.c), a.s.id);
    return undefined;
  },
  async restore(a) {
    invalidState(a.s, 'restore');
  },
  async addSecurityGroup(a) {
    const { name: asked } = bodyOf(a, Named);
    const groups = a.s.securityGroups;
    // The network service applies it (ports, NetworkPolicy label); the server records the name.
    const name = await changeServerGroup(netContext(a.c), a.s, asked, true);
    if (!groups.includes(name)) await record(a, 'addSecurityGroup', { annotations: { [CA.securityGroups]: JSON.stringify([...groups, name]) } });
    return undefined;
  },
  async removeSecurityGroup(a) {
    const { name } = bodyOf(a, Named);
    const groups = a.s.securityGroups;
    if (!groups.includes(name)) throw notFound(`Security group ${name} not assigned to the instance ${a.s.id}`);
    await changeServerGroup(netContext(a.c), a.s, name, false);
    await record(a, 'removeSecurityGroup', { annotations: { [CA.securityGroups]: JSON.stringify(groups.filter((g) => g !== name)) } });
    return undefined;
  },
  changePassword: unsupported('Unable to set password on instance: not supported by this cloud.'),
  rescue: unsupported('Rescue is not supported by this cloud.'),
  unrescue: unsupported('Rescue is not supported by this cloud.'),
  trigger_crash_dump: unsupported('Triggering a crash dump is not supported by this cloud.'),
};
