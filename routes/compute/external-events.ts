import { createRoute, z } from '@hono/zod-openapi';
import { badRequest, notFound } from '../../src/core/faults.ts';
import { type Ctx, authOf, parseBody, requireAdmin, router, versionOf } from './common.ts';
import { AnyObject, body, json } from './schemas/common.ts';
import { serverStore } from './server-common.ts';

// POST /os-server-external-events (admins: Neutron and Cinder tell Nova about ports and
// volumes). Nova uses them to refresh caches and unblock waits; Dicot reads ports, volumes
// and power state live from Kubernetes, so an event for a server that has a host is accepted (200)
// with nothing to do. `power-update` (2.76, sent by Ironic) is refused: KubeVirt reports a
// server's power state itself.

const NAMES: [string, string][] = [
  ['network-changed', '2.1'],
  ['network-vif-plugged', '2.1'],
  ['network-vif-unplugged', '2.1'],
  ['network-vif-deleted', '2.1'],
  ['volume-extended', '2.51'],
];
const Event = z.strictObject({
  name: z.string(),
  server_uuid: z.string().min(1),
  status: z.enum(['failed', 'completed', 'in-progress']).optional(),
  tag: z.string().max(255).optional(),
});
const Body = z.strictObject({ events: z.array(Event).min(1) });

const route = createRoute({
  method: 'post',
  path: '/os-server-external-events',
  tags: ['compute: servers'],
  summary: 'Deliver external events (admin)',
  request: body(AnyObject),
  responses: { 200: json(z.object({ events: z.array(AnyObject) }), 'All accepted'), 207: json(z.object({ events: z.array(AnyObject) }), 'Some not accepted') },
});

function checkName(c: Ctx, name: string): void {
  if (name === 'power-update' && versionOf(c).atLeast('2.76')) throw badRequest('power-update events are not accepted: KubeVirt reports the power state of servers itself.');
  const known = NAMES.find(([n, since]) => n === name && versionOf(c).atLeast(since));
  if (!known) throw badRequest(`Invalid input for field/attribute name. Value: ${name}. '${name}' is not one of ${JSON.stringify(NAMES.filter(([, s]) => versionOf(c).atLeast(s)).map(([n]) => n))}`);
}

export const externalEventRoutes = router().openapi(route, async (c) => {
  requireAdmin(authOf(c), 'os_compute_api:os-server-external-events:create');
  const { events } = parseBody(Body, c.req.valid('json'));
  for (const e of events) checkName(c, e.name);
  const servers = new Map((await serverStore(c).list({ all: true })).map((s) => [s.id, s]));
  let accepted = 0;
  const out = events.map((e) => {
    const s = servers.get(e.server_uuid);
    // Nova: 404 for an unknown server, 422 for one on no host (not scheduled yet, or offloaded).
    const code = !s ? 404 : ['building', 'shelved_offloaded'].includes(s.state.vmState) && !s.node ? 422 : 200;
    if (code === 200) accepted += 1;
    return { ...e, status: e.status ?? 'completed', code };
  });
  if (!accepted) throw notFound('No instances found for any event');
  return c.json({ events: out }, accepted === events.length ? 200 : 207);
});
