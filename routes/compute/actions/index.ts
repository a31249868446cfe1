import { createRoute, z } from '@hono/zod-openapi';
import { badRequest } from '../../../src/core/faults.ts';
import { authOf, router } from '../common.ts';
import { AnyObject, IdParam, body, json } from '../schemas/common.ts';
import { checkLock, loadServer, serverStore } from '../server-common.ts';
import type { ActionHandler } from './context.ts';
import { consoleActions } from '../consoles.ts';
import { consoleOutputActions } from './console-output.ts';
import { createImageActions } from './create-image.ts';
import { floatingIpActions } from './floating-ips.ts';
import { lockActions } from './lock.ts';
import { miscActions } from './misc.ts';
import { pauseActions } from './pause.ts';
import { powerActions } from './power.ts';
import { rebuildActions } from './rebuild.ts';
import { resizeActions } from './resize.ts';
import { shelveActions } from './shelve.ts';

// POST /servers/{id}/action: the body's one key names the action; each lives in a small
// module. Nova answers 202 unless the action says otherwise.

const ACTIONS: Record<string, ActionHandler> = {
  ...powerActions,
  ...pauseActions,
  ...lockActions,
  ...shelveActions,
  ...resizeActions,
  ...rebuildActions,
  ...miscActions,
  ...createImageActions,
  ...floatingIpActions,
  ...consoleActions,
  ...consoleOutputActions,
};
/** Actions a locked server still takes from its owner (nova: no check_instance_lock). */
const LOCK_EXEMPT = new Set(['lock', 'unlock', 'os-getConsoleOutput', 'os-getVNCConsole', 'os-getSerialConsole', 'os-resetState', 'createImage']);

const ActionBody = z.record(z.string(), z.unknown()).openapi('ServerAction', { description: '{"<action>": <arguments>} — os-start, os-stop, reboot, pause, unpause, suspend, resume, lock, unlock, rebuild, resize, confirmResize, revertResize, shelve, shelveOffload, unshelve, migrate, os-migrateLive, os-resetState, forceDelete, restore, addFloatingIp, removeFloatingIp, addSecurityGroup, removeSecurityGroup' });

const actionRoute = createRoute({
  method: 'post',
  path: '/servers/{id}/action',
  tags: ['compute: server actions'],
  summary: 'Perform a server action',
  request: { params: IdParam, ...body(ActionBody) },
  responses: { 202: json(AnyObject.optional(), 'Accepted (rebuild: the server)'), 200: json(AnyObject, 'Action result'), 204: { description: 'confirmResize' } },
});

export const actionRoutes = router().openapi(actionRoute, async (c) => {
  const req = c.req.valid('json');
  const keys = Object.keys(req);
  if (keys.length !== 1) throw badRequest('Malformed request body: exactly one action is expected.');
  const name = keys[0] as string;
  const handler = ACTIONS[name];
  if (!handler) throw badRequest(`There is no such action: ${name}`);
  const s = await loadServer(c, c.req.valid('param').id);
  if (!LOCK_EXEMPT.has(name)) checkLock(c, s);
  const res = await handler({ c, s, auth: authOf(c), store: serverStore(c), body: req[name] });
  return (res ?? c.body(null, 202)) as never;
});
