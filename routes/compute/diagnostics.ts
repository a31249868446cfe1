import { createRoute } from '@hono/zod-openapi';
import { diagnosticsOf } from '../../src/compute/diagnostics.ts';
import { authOf, requireAdmin, router } from './common.ts';
import { AnyObject, ServerIdParam, json } from './schemas/common.ts';
import { invalidState, loadServer } from './server-common.ts';

// GET /servers/{id}/diagnostics (admins): src/compute/diagnostics.ts. The standard 2.48 form
// at every version (before 2.48 Nova's body was whatever the driver gave).

const route = createRoute({ method: 'get', path: '/servers/{server_id}/diagnostics', tags: ['compute: servers'], summary: 'Server diagnostics (admin)', request: { params: ServerIdParam }, responses: { 200: json(AnyObject, 'Diagnostics') } });

export const diagnosticsRoutes = router().openapi(route, async (c) => {
  requireAdmin(authOf(c), 'os_compute_api:os-server-diagnostics');
  const s = await loadServer(c, c.req.valid('param').server_id);
  if (!s.vmi || !['active', 'paused'].includes(s.state.vmState)) invalidState(s, 'get_diagnostics');
  return c.json(diagnosticsOf(s, Date.now()), 200);
});
