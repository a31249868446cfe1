import { z } from '@hono/zod-openapi';
import { badRequest, notFound, notImplemented } from '../../src/core/faults.ts';
import {
  type Backend,
  backendOfHost,
  backendsOf,
  capabilitiesView,
  hostListView,
  hostResources,
  onHost,
  poolView,
  serviceRows,
  serviceView,
} from '../../src/volume/backends.ts';
import { defaultZone, zonesOf } from '../../src/volume/create.ts';
import { listSnapshots, listTypes, listVolumes } from '../../src/volume/service.ts';
import { type Ctx, Project, ctxOf, jsonBody, ok, queryOf, requireAdmin, route, router } from './common.ts';

// Cinder's admin views of its services, hosts, pools and backend capabilities, derived from
// the StorageClasses' CSI drivers (src/volume/backends.ts). Every backend is always enabled:
// Kubernetes has no switch to stop a driver taking volumes, so disabling, freezing and
// thawing are 501.

const servicesRoute = route('get', '/{project_id}/os-services', 'services', 'List volume services (admin)', ok('Services'));
const serviceAction = route('put', '/{project_id}/os-services/{action}', 'services', 'Enable, disable, freeze or thaw (admin)', ok('Service'), Project.extend({ action: z.string() }));
const hostsRoute = route('get', '/{project_id}/os-hosts', 'hosts', 'List volume hosts (admin)', ok('Hosts'));
const hostRoute = route('get', '/{project_id}/os-hosts/{host}', 'hosts', 'Show the volumes on a backend host (admin)', ok('Host'), Project.extend({ host: z.string() }));
const poolsRoute = route('get', '/{project_id}/scheduler-stats/get_pools', 'pools', 'List backend pools (admin)', ok('Pools'));
const capabilitiesRoute = route('get', '/{project_id}/capabilities/{host}', 'capabilities', 'Show backend capabilities (admin)', ok('Capabilities'), Project.extend({ host: z.string() }));

const backends = async (c: Ctx): Promise<Backend[]> => backendsOf(await listTypes(ctxOf(c)));
const zoneOf = async (c: Ctx) => defaultZone(await zonesOf(ctxOf(c)));

/** A string field of a services request body (Cinder's 400 when absent). */
function field(b: Record<string, unknown>, key: string): string {
  const v = b[key];
  if (typeof v !== 'string' || !v.trim()) throw badRequest(`Invalid input received: ${key} must be a non-empty string.`);
  return v;
}

export const backendRoutes = router()
  .openapi(servicesRoute, async (c) => {
    requireAdmin(c, 'volume_extension:services:index');
    const q = queryOf(c);
    const host = q.get('host');
    const binary = q.get('binary');
    const [bs, zone] = await Promise.all([backends(c), zoneOf(c)]);
    const now = Date.now();
    const rows = serviceRows(bs).filter((s) => (!host || onHost(s.host, host)) && (!binary || s.binary === binary));
    return c.json({ services: rows.map((s) => serviceView(s, zone, now, c.get('version'))) }, 200);
  })
  .openapi(serviceAction, async (c) => {
    requireAdmin(c, 'volume_extension:services:update');
    const { action } = c.req.valid('param');
    const raw = await jsonBody(c);
    const b = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
    const rows = serviceRows(await backends(c));
    if (action === 'freeze' || action === 'thaw') {
      const host = field(b, 'host');
      if (!rows.some((s) => s.binary === 'cinder-volume' && s.host === host)) throw badRequest(`Invalid input received: Host ${host} is not a volume backend.`);
      throw notImplemented(`Cannot ${action} ${host}: a CSI driver has no switch to stop taking volumes.`);
    }
    if (action !== 'enable' && action !== 'disable' && action !== 'disable-log-reason') throw notFound(`Unknown action ${action}.`);
    if (action === 'disable-log-reason') {
      const reason = b.disabled_reason;
      if (typeof reason !== 'string' || !reason.trim() || reason.length > 255) throw badRequest('Invalid input received: Disabled reason contains invalid characters or is too long');
    }
    const host = field(b, 'host');
    const binary = field(b, 'binary');
    const svc = rows.find((s) => s.host === host && s.binary === binary);
    if (!svc) throw notFound(`Service ${binary} on host ${host} could not be found.`);
    // Every service is enabled already: enabling one changes nothing, as Cinder answers.
    if (action === 'enable') return c.json({ host, binary, service: binary, status: 'enabled', disabled: false, disabled_reason: null }, 200);
    throw notImplemented(`Cannot disable ${binary} on ${host}: a CSI driver has no switch to stop taking volumes.`);
  })
  .openapi(hostsRoute, async (c) => {
    requireAdmin(c, 'volume_extension:hosts');
    const [bs, zone] = await Promise.all([backends(c), zoneOf(c)]);
    const now = Date.now();
    return c.json({ hosts: serviceRows(bs).map((s) => hostListView(s, zone, now)) }, 200);
  })
  .openapi(hostRoute, async (c) => {
    requireAdmin(c, 'volume_extension:hosts');
    const { host } = c.req.valid('param');
    const ctx = ctxOf(c);
    const b = backendOfHost(await backends(c), host);
    if (!b || host.includes('#')) throw notFound(`Host ${host} could not be found.`);
    const [volumes, snapshots, types] = await Promise.all([listVolumes(ctx, { all: true }), listSnapshots(ctx, { all: true }), listTypes(ctx)]);
    const drivers = new Map(types.map((t) => [t.object, t.provisioner]));
    return c.json({ host: hostResources(b, volumes, snapshots, (sc) => drivers.get(sc)) }, 200);
  })
  .openapi(poolsRoute, async (c) => {
    requireAdmin(c, 'scheduler_extension:scheduler_stats:get_pools');
    const detail = ['true', '1', 'yes', 'on'].includes((queryOf(c).get('detail') ?? '').toLowerCase());
    return c.json({ pools: (await backends(c)).map((b) => poolView(b, detail)) }, 200);
  })
  .openapi(capabilitiesRoute, async (c) => {
    requireAdmin(c, 'volume_extension:capabilities');
    const { host } = c.req.valid('param');
    const b = backendOfHost(await backends(c), host);
    if (!b) throw notFound(`Service ${host} could not be found.`);
    return c.json(capabilitiesView(b), 200);
  });
