import { createRoute, z } from '@hono/zod-openapi';
import { type MigrationRecord, type Vmim, byNewest, inProgress, migrationsOf } from '../../src/compute/migrations.ts';
import type { VirtualMachine } from '../../src/compute/model.ts';
import type { ServerRecord } from '../../src/compute/servers.ts';
import { SERVER_SELECTOR } from '../../src/compute/server-store.ts';
import { badRequest, notFound } from '../../src/core/faults.ts';
import { pageRequest, paginate } from '../../src/core/pagination.ts';
import { NotFoundError, R } from '../../src/kube/index.ts';
import { type Ctx, authOf, checkQuery, linksOf, nextHref, queryOf, requireAdmin, router, versionOf } from './common.ts';
import { AnyObject, Query, ServerIdParam, json, noContent } from './schemas/common.ts';
import { loadServer } from './server-common.ts';
import { migrationView, serverMigrationView } from './views/migrations.ts';

// /os-migrations (admins) and /servers/{id}/migrations (2.23: in-progress live migrations;
// DELETE aborts one, 2.24, by deleting its VirtualMachineInstanceMigration, which is how
// KubeVirt cancels). Records are derived: src/compute/migrations.ts.

const tags = ['compute: migrations'];
const ListQuery = Query({
  host: z.string().optional(),
  status: z.string().optional(),
  instance_uuid: z.string().optional(),
  source_compute: z.string().optional(),
  migration_type: z.string().optional(),
  limit: z.string().optional(),
  marker: z.string().optional(),
  'changes-since': z.string().optional(),
  'changes-before': z.string().optional(),
  hidden: z.string().optional(),
});
const MigrationParam = ServerIdParam.extend({ migration_id: z.string().min(1) });
const listRoute = createRoute({ method: 'get', path: '/os-migrations', tags, summary: 'List migrations (admin)', request: { query: ListQuery }, responses: { 200: json(z.object({ migrations: z.array(AnyObject) }), 'Migrations') } });
const serverList = createRoute({ method: 'get', path: '/servers/{server_id}/migrations', tags, summary: "A server's live migrations in progress (2.23, admin)", request: { params: ServerIdParam }, responses: { 200: json(z.object({ migrations: z.array(AnyObject) }), 'Migrations') } });
const serverShow = createRoute({ method: 'get', path: '/servers/{server_id}/migrations/{migration_id}', tags, summary: 'Show a live migration in progress (2.23, admin)', request: { params: MigrationParam }, responses: { 200: json(z.object({ migration: AnyObject }), 'Migration') } });
const serverAbort = createRoute({ method: 'delete', path: '/servers/{server_id}/migrations/{migration_id}', tags, summary: 'Abort a live migration in progress (2.24, admin)', request: { params: MigrationParam }, responses: { 202: noContent } });

/** Every server's migrations: one LIST of VMs and one of VirtualMachineInstanceMigrations. */
async function allMigrations(c: Ctx, namespace?: string): Promise<MigrationRecord[]> {
  const kube = authOf(c).kube;
  const ns = namespace ? { namespace } : {};
  const [vms, vmims] = await Promise.all([kube.listAll<VirtualMachine>(R.virtualMachines, { ...ns, labelSelector: SERVER_SELECTOR }), kube.listAll<Vmim>(R.virtualMachineInstanceMigrations, ns)]);
  const byVmi = new Map<string, Vmim[]>();
  for (const m of vmims.items) {
    const k = `${m.metadata.namespace}/${m.spec.vmiName}`;
    byVmi.set(k, [...(byVmi.get(k) ?? []), m]);
  }
  return vms.items.flatMap((vm) => migrationsOf(vm, byVmi.get(`${vm.metadata.namespace}/${vm.metadata.name}`) ?? [])).sort(byNewest);
}

function timeFilter(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw badRequest(`Invalid input for query parameters ${name}. Value: ${raw}. '${raw}' is not a 'date-time'`);
  return t;
}

const live = (m: MigrationRecord) => m.type === 'live-migration' && inProgress(m);

/** The server and its in-progress live migration `id` (Nova's 404 otherwise). */
async function liveMigration(c: Ctx, serverId: string, id: string): Promise<{ s: ServerRecord; m: MigrationRecord }> {
  const s = await loadServer(c, serverId);
  const m = (await allMigrations(c, s.namespace)).find((x) => x.serverId === s.id && String(x.id) === id && live(x));
  if (!m) throw notFound(`Migration ${id} for server ${serverId} not found or not in progress.`);
  return { s, m };
}

function requireServerMigrations(c: Ctx, rule: string, since: string): void {
  if (!versionOf(c).atLeast(since)) throw notFound('The resource could not be found.');
  requireAdmin(authOf(c), `os_compute_api:servers:migrations:${rule}`);
}

export const migrationRoutes = router()
  .openapi(listRoute, async (c) => {
    requireAdmin(authOf(c), 'os_compute_api:os-migrations:index');
    const v = versionOf(c);
    checkQuery(c, ListQuery, '2.80');
    const q = queryOf(c);
    const since = v.atLeast('2.59') ? timeFilter(q, 'changes-since') : undefined;
    const before = v.atLeast('2.66') ? timeFilter(q, 'changes-before') : undefined;
    const want = (k: string) => q.get(k);
    const list = (await allMigrations(c)).filter((m) => {
      const changed = Date.parse(`${m.updatedAt ?? m.createdAt}Z`);
      return (
        (want('host') === null || m.sourceNode === want('host') || m.destNode === want('host')) &&
        (want('source_compute') === null || m.sourceNode === want('source_compute')) &&
        (want('status') === null || m.status === want('status')) &&
        (want('instance_uuid') === null || m.serverId === want('instance_uuid')) &&
        (!v.atLeast('2.23') || want('migration_type') === null || m.type === want('migration_type')) &&
        (since === undefined || changed >= since) &&
        (before === undefined || changed <= before)
      );
    });
    const page = v.atLeast('2.59') ? paginate(list, pageRequest(q), (m) => m.uuid, (marker) => badRequest(`Marker ${marker} could not be found.`)) : { items: list, next: undefined };
    const href = nextHref(c, page.next);
    const links = linksOf(c);
    return c.json({ migrations: page.items.map((m) => migrationView(m, v, links, live(m))), ...(href ? { migrations_links: [{ rel: 'next', href }] } : {}) }, 200);
  })
  .openapi(serverList, async (c) => {
    requireServerMigrations(c, 'index', '2.23');
    const s = await loadServer(c, c.req.valid('param').server_id);
    const list = (await allMigrations(c, s.namespace)).filter((m) => m.serverId === s.id && live(m));
    return c.json({ migrations: list.map((m) => serverMigrationView(m, versionOf(c))) }, 200);
  })
  .openapi(serverShow, async (c) => {
    requireServerMigrations(c, 'show', '2.23');
    const p = c.req.valid('param');
    return c.json({ migration: serverMigrationView((await liveMigration(c, p.server_id, p.migration_id)).m, versionOf(c)) }, 200);
  })
  .openapi(serverAbort, async (c) => {
    requireServerMigrations(c, 'delete', '2.24');
    const p = c.req.valid('param');
    const { s, m } = await liveMigration(c, p.server_id, p.migration_id);
    const vmims = await authOf(c).kube.listAll<Vmim>(R.virtualMachineInstanceMigrations, { namespace: s.namespace });
    const obj = vmims.items.find((x) => x.metadata.uid === m.uuid);
    if (!obj) throw notFound(`Migration ${m.id} for server ${s.id} not found or not in progress.`);
    try {
      await authOf(c).kube.delete(R.virtualMachineInstanceMigrations, obj.metadata.name ?? '', { namespace: s.namespace, preconditions: { uid: m.uuid } });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    return c.body(null, 202);
  });
