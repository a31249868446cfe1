import { z } from '@hono/zod-openapi';
import { badRequest, forbidden } from '../../src/core/faults.ts';
import { identityOf } from '../../src/identity/service.ts';
import { zonesOf } from '../../src/volume/create.ts';
import { VOLUME_EXTENSIONS } from '../../src/volume/extensions.ts';
import { type TypeNames, byClassName, byTypeName, defaultQuotas, deleteQuotas, readQuotas, usage, writeQuotaClass, writeQuotas } from '../../src/volume/quotas.ts';
import { listTypes } from '../../src/volume/service.ts';
import { type Ctx, Project, ctxOf, empty200, entity, ok, queryOf, requireAdmin, route, router, viewerOf } from './common.ts';

// Availability zones, limits, quota sets and extensions.

const zonesRoute = route('get', '/{project_id}/os-availability-zone', 'availability zones', 'List availability zones', ok('Zones'));
const limitsRoute = route('get', '/{project_id}/limits', 'limits', 'Show absolute limits', ok('Limits'));
const extensionsRoute = route('get', '/{project_id}/extensions', 'extensions', 'List API extensions', ok('Extensions'));
const Target = Project.extend({ target: z.string() });
const quotaShow = route('get', '/{project_id}/os-quota-sets/{target}', 'quota sets', 'Show a quota set (?usage=true)', ok('Quota set'), Target);
const quotaDefaults = route('get', '/{project_id}/os-quota-sets/{target}/defaults', 'quota sets', 'Show default quotas', ok('Quota set'), Target);
const quotaUpdate = route('put', '/{project_id}/os-quota-sets/{target}', 'quota sets', 'Update a quota set (admin)', ok('Quota set'), Target);
const Klass = Project.extend({ klass: z.string() });
const classShow = route('get', '/{project_id}/os-quota-class-sets/{klass}', 'quota classes', 'Show a quota class (admin; `default` is the default quotas)', ok('Quota class'), Klass);
const classUpdate = route('put', '/{project_id}/os-quota-class-sets/{klass}', 'quota classes', 'Update the default quota class (admin)', ok('Quota class'), Klass);
const quotaDelete = route('delete', '/{project_id}/os-quota-sets/{target}', 'quota sets', 'Revert a quota set to defaults (admin)', empty200('Deleted'), Target);


/** Quotas of another project: admins only (Cinder's policy). */
async function targetNamespace(c: Ctx, target: string): Promise<string> {
  const auth = viewerOf(c);
  if (target !== auth.projectId && !auth.isAdmin) throw forbidden(`Policy doesn't allow volume_extension:quotas:show to be performed.`);
  const project = await identityOf(c.get('gateway')).projects.get(target);
  if (!project) throw badRequest(`Invalid input received: Project ${target} could not be found.`);
  return project.namespace;
}

const withId = (id: string, q: Record<string, unknown>) => ({ quota_set: { id, ...q } });

/**
 * A quota-set request body → StorageClass-keyed changes, or Cinder's 400: every key must be one
 * of `known` (per-type keys by type name, as clients send them), every value an integer ≥ -1.
 */
function quotaChanges(req: Record<string, unknown>, known: Record<string, number>, types: TypeNames): Record<string, number> {
  const changes: Record<string, number> = {};
  for (const [sent, v] of Object.entries(req)) {
    if (sent === 'tenant_id' || sent === 'id') continue;
    const k = Object.keys(byClassName({ [sent]: v }, types))[0] as string;
    if (!(k in known)) throw badRequest(`Bad key(s) in quota set: ${sent}`);
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isInteger(n) || n < -1) throw badRequest(`Invalid input received: Quota limit ${String(v)} for ${sent} must be an integer of -1 or greater.`);
    changes[k] = n;
  }
  return changes;
}

export const miscRoutes = router()
  .openapi(zonesRoute, async (c) => {
    const zones = await zonesOf(ctxOf(c));
    return c.json({ availabilityZoneInfo: (zones.length ? zones : ['nova']).map((zoneName) => ({ zoneName, zoneState: { available: true } })) }, 200);
  })
  .openapi(limitsRoute, async (c) => {
    const ctx = ctxOf(c);
    const ns = await ctx.namespace();
    const [q, u] = await Promise.all([readQuotas(ctx, ns), usage(ctx, ns)]);
    return c.json(
      {
        limits: {
          rate: [],
          absolute: {
            maxTotalVolumes: q.volumes ?? -1,
            maxTotalSnapshots: q.snapshots ?? -1,
            maxTotalVolumeGigabytes: q.gigabytes ?? -1,
            maxTotalBackups: q.backups ?? -1,
            maxTotalBackupGigabytes: q.backup_gigabytes ?? -1,
            totalVolumesUsed: u.volumes ?? 0,
            totalGigabytesUsed: u.gigabytes ?? 0,
            totalSnapshotsUsed: u.snapshots ?? 0,
            totalBackupsUsed: 0,
            totalBackupGigabytesUsed: 0,
          },
        },
      },
      200,
    );
  })
  .openapi(extensionsRoute, (c) =>
    c.json({ extensions: VOLUME_EXTENSIONS.map(([alias, name, description]) => ({ alias, name, description, links: [], namespace: `https://docs.openstack.org/volume/ext/${alias}/api/v1.1`, updated: '2013-01-01T00:00:00+00:00' })) }, 200),
  )
  .openapi(quotaShow, async (c) => {
    const { target } = c.req.valid('param');
    const ctx = ctxOf(c);
    const ns = await targetNamespace(c, target);
    const [q, types] = await Promise.all([readQuotas(ctx, ns), listTypes(ctx)]);
    const usageParam = queryOf(c).get('usage');
    if (usageParam && ['true', '1', 'yes'].includes(usageParam.toLowerCase())) {
      const u = await usage(ctx, ns);
      return c.json(withId(target, byTypeName(Object.fromEntries(Object.entries(q).map(([k, limit]) => [k, { limit, in_use: u[k] ?? 0, reserved: 0, allocated: 0 }])), types)), 200);
    }
    return c.json(withId(target, byTypeName(q, types)), 200);
  })
  .openapi(quotaDefaults, async (c) => {
    const { target } = c.req.valid('param');
    const ctx = ctxOf(c);
    const [q, types] = await Promise.all([defaultQuotas(ctx), listTypes(ctx)]);
    return c.json(withId(target, byTypeName(q, types)), 200);
  })
  .openapi(quotaUpdate, async (c) => {
    requireAdmin(c, 'volume_extension:quotas:update');
    const { target } = c.req.valid('param');
    const ctx = ctxOf(c);
    const ns = await targetNamespace(c, target);
    const req = await entity(c, 'quota_set');
    const [current, types] = await Promise.all([readQuotas(ctx, ns), listTypes(ctx)]);
    const q = await writeQuotas(ctx, ns, quotaChanges(req, current, types));
    return c.json({ quota_set: byTypeName(q, types) }, 200);
  })
  .openapi(classShow, async (c) => {
    requireAdmin(c, 'volume_extension:quota_classes');
    const ctx = ctxOf(c);
    // Classes other than `default` are unused (as in Cinder): they show the defaults.
    const [q, types] = await Promise.all([defaultQuotas(ctx), listTypes(ctx)]);
    return c.json({ quota_class_set: { id: c.req.valid('param').klass, ...byTypeName(q, types) } }, 200);
  })
  .openapi(classUpdate, async (c) => {
    requireAdmin(c, 'volume_extension:quota_classes:update');
    const { klass } = c.req.valid('param');
    if (klass !== 'default') throw badRequest(`Only the default quota class is kept: quota class ${klass} would never be used.`);
    const ctx = ctxOf(c);
    const req = await entity(c, 'quota_class_set');
    const [current, types] = await Promise.all([defaultQuotas(ctx), listTypes(ctx)]);
    await writeQuotaClass(ctx.gw, quotaChanges(req, current, types));
    return c.json({ quota_class_set: byTypeName(await defaultQuotas(ctx), types) }, 200);
  })
  .openapi(quotaDelete, async (c) => {
    requireAdmin(c, 'volume_extension:quotas:delete');
    const { target } = c.req.valid('param');
    await deleteQuotas(ctxOf(c), await targetNamespace(c, target));
    return c.body(null, 200);
  });
