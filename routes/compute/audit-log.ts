import { createRoute, z } from '@hono/zod-openapi';
import { auditLog, parseAuditTime } from '../../src/compute/audit-log.ts';
import { listNodes } from '../../src/compute/zones.ts';
import { type Ctx, authOf, requireAdmin, router } from './common.ts';
import { AnyObject, json } from './schemas/common.ts';

// /os-instance_usage_audit_log (admins): src/compute/audit-log.ts.

const tags = ['compute: usage'];
const list = createRoute({ method: 'get', path: '/os-instance_usage_audit_log', tags, summary: 'Instance usage audit of the last period (admin)', responses: { 200: json(z.object({ instance_usage_audit_logs: AnyObject }), 'Audit log') } });
const show = createRoute({
  method: 'get',
  path: '/os-instance_usage_audit_log/{before}',
  tags,
  summary: 'Instance usage audit of the last period before a time (admin)',
  request: { params: z.object({ before: z.string().min(1) }) },
  responses: { 200: json(z.object({ instance_usage_audit_log: AnyObject }), 'Audit log') },
});

const hosts = async (c: Ctx) => (await listNodes(c.get('region').kube)).map((n) => n.metadata.name ?? '');

export const auditLogRoutes = router()
  .openapi(list, async (c) => {
    requireAdmin(authOf(c), 'os_compute_api:os-instance-usage-audit-log:list');
    return c.json({ instance_usage_audit_logs: auditLog(await hosts(c), Date.now()) }, 200);
  })
  .openapi(show, async (c) => {
    requireAdmin(authOf(c), 'os_compute_api:os-instance-usage-audit-log:show');
    const before = parseAuditTime(c.req.valid('param').before);
    return c.json({ instance_usage_audit_log: auditLog(await hosts(c), before) }, 200);
  });
