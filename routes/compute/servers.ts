import { createRoute } from '@hono/zod-openapi';
import { CA } from '../../src/compute/model.ts';
import type { Scope } from '../../src/compute/server-store.ts';
import type { ServerRecord } from '../../src/compute/servers.ts';
import { badRequest, forbidden } from '../../src/core/faults.ts';
import { pageRequest, paginate } from '../../src/core/pagination.ts';
import { type Ctx, authOf, callerNamespace, checkQuery, linksOf, namespaceOf, nextHref, queryOf, router, strictBool, versionOf } from './common.ts';
import { IdParam, body, json, noContent } from './schemas/common.ts';
import { ReservationCreated, ServerBody, ServerCreateBody, ServerCreated, ServerDetailList, ServerList, ServerListQuery, ServerUpdateBody } from './schemas/servers.ts';
import { accessIp, checkLock, loadServer, serverStore, viewContext } from './server-common.ts';
import { createServers } from './server-create.ts';
import { parseIsoTime } from '../../src/core/time.ts';
import { serverBrief, serverDetail, serverShow, serverUpdated } from './views/servers.ts';
import { netContext } from '../../src/network/context.ts';
import { releaseServerPorts } from '../../src/network/server-ports.ts';

// /servers (nova servers.py): create, list (+detail) with Nova's filters, sort and paging,
// show, update, delete.

const tags = ['compute: servers'];
const listRoute = createRoute({ method: 'get', path: '/servers', tags, summary: 'List servers', request: { query: ServerListQuery }, responses: { 200: json(ServerList, 'Servers') } });
const detailRoute = createRoute({ method: 'get', path: '/servers/detail', tags, summary: 'List servers with details', request: { query: ServerListQuery }, responses: { 200: json(ServerDetailList, 'Servers') } });
const showRoute = createRoute({ method: 'get', path: '/servers/{id}', tags, summary: 'Show a server', request: { params: IdParam }, responses: { 200: json(ServerBody, 'Server') } });
const createDef = createRoute({
  method: 'post',
  path: '/servers',
  tags,
  summary: 'Create servers',
  request: body(ServerCreateBody),
  responses: { 202: json(ServerCreated.or(ReservationCreated), 'Accepted') },
});
const updateRoute = createRoute({ method: 'put', path: '/servers/{id}', tags, summary: 'Update a server', request: { params: IdParam, ...body(ServerUpdateBody) }, responses: { 200: json(ServerBody, 'Updated') } });
const deleteRoute = createRoute({ method: 'delete', path: '/servers/{id}', tags, summary: 'Delete a server', request: { params: IdParam }, responses: { 204: noContent } });

// ---- list: filters, sort, paging ----

const KNOWN_STATUSES = new Set([
  'ACTIVE', 'BUILD', 'DELETED', 'ERROR', 'HARD_REBOOT', 'MIGRATING', 'PASSWORD', 'PAUSED', 'REBOOT', 'REBUILD', 'RESCUE', 'RESIZE',
  'REVERT_RESIZE', 'SHELVED', 'SHELVED_OFFLOADED', 'SHUTOFF', 'SOFT_DELETED', 'SUSPENDED', 'UNKNOWN', 'VERIFY_RESIZE',
]);

const SORT_KEYS: Record<string, (s: ServerRecord) => string | number> = {
  created_at: (s) => s.created,
  updated_at: (s) => s.updated,
  display_name: (s) => s.name,
  uuid: (s) => s.id,
  launched_at: (s) => s.launchedAt ?? '',
  vm_state: (s) => s.state.vmState,
  task_state: (s) => s.state.taskState ?? '',
  power_state: (s) => s.state.powerState,
  availability_zone: (s) => s.requestedZone ?? '',
  key_name: (s) => s.keyName ?? '',
  host: (s) => s.node ?? '',
  node: (s) => s.node ?? '',
  hostname: (s) => s.hostname,
  project_id: (s) => s.projectId,
  user_id: (s) => s.userId,
  instance_type_id: (s) => s.flavorId,
  image_ref: (s) => s.imageId,
  locked: (s) => (s.lock.locked ? 1 : 0),
  display_description: (s) => s.description ?? '',
};

/** Python's re.search as well as JS can: an invalid pattern matches literally. */
function regex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
}

const csv = (v: string | null) => (v === null ? undefined : v.split(',').map((t) => t.trim()).filter(Boolean));

async function listScope(c: Ctx, q: URLSearchParams): Promise<Scope> {
  const auth = authOf(c);
  const allTenants = q.has('all_tenants') && q.get('all_tenants') !== '0' && q.get('all_tenants')?.toLowerCase() !== 'false';
  if (!allTenants) return { namespace: await callerNamespace(c) };
  if (!auth.isAdmin) throw forbidden("Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed.");
  const project = q.get('project_id') ?? q.get('tenant_id');
  if (project) {
    const ns = await namespaceOf(c, project);
    return ns ? { namespace: ns } : { namespace: '\u0000none' };
  }
  return { all: true };
}

async function listed(c: Ctx): Promise<{ items: ServerRecord[]; next: string | undefined }> {
  checkQuery(c, ServerListQuery);
  const q = queryOf(c);
  const v = versionOf(c);
  const auth = authOf(c);
  const scope = await listScope(c, q);
  let items = 'namespace' in scope && scope.namespace === '\u0000none' ? [] : await serverStore(c).list(scope);
  const filters: ((s: ServerRecord) => boolean)[] = [];
  const name = q.get('name');
  if (name) filters.push((s) => regex(name).test(s.name));
  const statuses = q.getAll('status').map((x) => x.toUpperCase());
  if (statuses.length) {
    const known = statuses.filter((x) => KNOWN_STATUSES.has(x));
    if (known.length < statuses.length && v.atLeast('2.38')) throw badRequest(`Invalid status value`);
    filters.push((s) => statuses.includes(s.state.status));
  }
  const flavor = q.get('flavor');
  if (flavor) filters.push((s) => s.flavorId === flavor.split('/').pop());
  const image = q.get('image');
  if (image) filters.push((s) => s.imageId === image.split('/').pop());
  const since = q.get('changes-since');
  if (since !== null) {
    const t = parseIsoTime(since);
    if (t === undefined) throw badRequest(`Invalid input for query parameters changes-since. Value: ${since}.`);
    filters.push((s) => Date.parse(s.updated) >= t);
  }
  const before = q.get('changes-before');
  if (before !== null && v.atLeast('2.66')) {
    const t = parseIsoTime(before);
    if (t === undefined) throw badRequest(`Invalid input for query parameters changes-before. Value: ${before}.`);
    filters.push((s) => Date.parse(s.updated) <= t);
  }
  const ip = q.get('ip');
  if (ip) filters.push((s) => s.addresses.some((a) => a.version === 4 && regex(ip).test(a.addr)));
  const ip6 = q.get('ip6');
  if (ip6) filters.push((s) => s.addresses.some((a) => a.version === 6 && regex(ip6).test(a.addr)));
  const tagsAll = csv(q.get('tags'));
  if (tagsAll) filters.push((s) => tagsAll.every((t) => s.tags.includes(t)));
  const tagsAny = csv(q.get('tags-any'));
  if (tagsAny) filters.push((s) => tagsAny.some((t) => s.tags.includes(t)));
  const notTags = csv(q.get('not-tags'));
  if (notTags) filters.push((s) => !notTags.every((t) => s.tags.includes(t)));
  const notTagsAny = csv(q.get('not-tags-any'));
  if (notTagsAny) filters.push((s) => !notTagsAny.some((t) => s.tags.includes(t)));
  const locked = q.get('locked');
  if (locked !== null && v.atLeast('2.73')) {
    const want = strictBool(locked, 'locked');
    filters.push((s) => s.lock.locked === want);
  }
  const keyName = q.get('key_name');
  if (keyName) filters.push((s) => s.keyName === keyName);
  const az = q.get('availability_zone');
  if (az) filters.push((s) => s.requestedZone === az);
  const reservation = q.get('reservation_id');
  if (reservation) filters.push((s) => s.reservationId === reservation);
  const uuid = q.get('uuid');
  if (uuid) filters.push((s) => s.id === uuid);
  if (auth.isAdmin) {
    const host = q.get('host') ?? q.get('node');
    if (host) filters.push((s) => s.node === host);
    const deleted = q.get('deleted');
    if (deleted !== null && strictBool(deleted, 'deleted')) filters.push(() => false);
  }
  items = items.filter((s) => filters.every((f) => f(s)));

  // Sort: Nova's default is created_at desc (then id).
  const keys = q.getAll('sort_key');
  const dirs = q.getAll('sort_dir');
  for (const d of dirs) if (d !== 'asc' && d !== 'desc') throw badRequest("Unknown sort direction, must be 'desc' or 'asc'");
  for (const k of keys) if (!(k in SORT_KEYS)) throw badRequest(`Invalid sort key: ${k}`);
  const order = (keys.length ? keys : ['created_at']).map((k, i) => ({ get: SORT_KEYS[k] as (s: ServerRecord) => string | number, sign: (dirs[i] ?? dirs[0] ?? 'desc') === 'asc' ? 1 : -1 }));
  items.sort((a, b) => {
    for (const o of order) {
      const x = o.get(a);
      const y = o.get(b);
      const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'en');
      if (cmp) return o.sign * cmp;
    }
    return order[0]!.sign * a.id.localeCompare(b.id);
  });
  const page = paginate(items, pageRequest(q), (s) => s.id, (m) => badRequest(`marker [${m}] not found`));
  return page;
}

const linksBody = (c: Ctx, next: string | undefined) => {
  const href = nextHref(c, next);
  return href ? { servers_links: [{ rel: 'next', href }] } : {};
};

export const serverRoutes = router()
  .openapi(listRoute, async (c) => {
    const { items, next } = await listed(c);
    const links = linksOf(c);
    return c.json({ servers: items.map((s) => serverBrief(s, links)), ...linksBody(c, next) }, 200);
  })
  .openapi(detailRoute, async (c) => {
    const [{ items, next }, ctx] = await Promise.all([listed(c), viewContext(c)]);
    return c.json({ servers: items.map((s) => serverDetail(s, ctx)), ...linksBody(c, next) }, 200);
  })
  .openapi(showRoute, async (c) => {
    const [s, ctx] = await Promise.all([loadServer(c, c.req.valid('param').id), viewContext(c)]);
    return c.json({ server: serverShow(s, ctx) }, 200);
  })
  .openapi(createDef, async (c) => {
    const req = c.req.valid('json');
    const out = await createServers(c, req);
    const rr = req.server.return_reservation_id;
    if (rr === true || (typeof rr === 'string' && /^(true|1|yes)$/i.test(rr))) return c.json({ reservation_id: out.reservationId }, 202);
    const id = out.ids[0] as string;
    const links = linksOf(c);
    c.header('Location', links.url(`servers/${id}`));
    return c.json(
      {
        server: {
          id,
          links: links.links(`servers/${id}`),
          adminPass: out.adminPass,
          'OS-DCF:diskConfig': out.diskConfig,
          ...(out.securityGroups.length ? { security_groups: out.securityGroups.map((name) => ({ name })) } : {}),
        },
      },
      202,
    );
  })
  .openapi(updateRoute, async (c) => {
    const v = versionOf(c);
    const { server: u } = c.req.valid('json');
    if (u.description !== undefined && !v.atLeast('2.19')) throw badRequest("Invalid input for field/attribute server. Additional properties are not allowed ('description' was unexpected)");
    if (u.name !== undefined && (u.name.trim() !== u.name || !u.name.trim())) throw badRequest('Invalid input for field/attribute name. Value: must not have leading or trailing whitespace.');
    const store = serverStore(c);
    const s = await loadServer(c, c.req.valid('param').id);
    const ann: Record<string, string | null> = {};
    if (u.name !== undefined) ann[CA.name] = u.name;
    if (u.description !== undefined) ann[CA.description] = u.description;
    if (u.accessIPv4 !== undefined) ann[CA.accessIPv4] = accessIp('accessIPv4', u.accessIPv4) ?? '';
    if (u.accessIPv6 !== undefined) ann[CA.accessIPv6] = accessIp('accessIPv6', u.accessIPv6) ?? '';
    if (u['OS-DCF:diskConfig'] !== undefined) ann[CA.diskConfig] = u['OS-DCF:diskConfig'];
    if (Object.keys(ann).length) await store.annotate(s, ann);
    const updated = Object.keys(ann).length ? await store.reload(s) : s;
    return c.json({ server: serverUpdated(updated, await viewContext(c)) }, 200);
  })
  .openapi(deleteRoute, async (c) => {
    const s = await loadServer(c, c.req.valid('param').id);
    checkLock(c, s);
    await serverStore(c).delete(s);
    // The ports Nova made go with the server; the caller's own are unbound.
    await releaseServerPorts(netContext(c), s.id);
    return c.body(null, 204);
  });
