import { createRoute, z } from '@hono/zod-openapi';
import { CA, isoMicros } from '../../src/compute/model.ts';
import { type ActionRecord, readActions } from '../../src/compute/server-store.ts';
import { POD_NETWORK, type ServerRecord } from '../../src/compute/servers.ts';
import { topologyOf } from '../../src/compute/topology.ts';
import { badRequest, forbidden, notFound, notImplemented } from '../../src/core/faults.ts';
import { type Ctx, authOf, router, versionOf } from './common.ts';
import { body, json, noContent, ServerIdParam } from './schemas/common.ts';
import { Addresses, ServerTopology, InstanceActionShow, InstanceActions, MetaItemBody, MetadataBody, NetworkAddresses, TagsBody, TagsList } from './schemas/servers.ts';
import { checkLock, loadServer, serverStore } from './server-common.ts';
import { netContext } from '../../src/network/context.ts';
import { serverAddresses } from '../../src/network/server-ports.ts';

// Server sub-resources: metadata, tags (2.26), ips, os-instance-actions, topology (2.78).

const tags = ['compute: servers'];
const MAX_METADATA = 128;
const KeyParam = ServerIdParam.extend({ key: z.string().min(1) });
const TagParam = ServerIdParam.extend({ tag: z.string().min(1) });
const NetParam = ServerIdParam.extend({ network: z.string().min(1) });
const ReqParam = ServerIdParam.extend({ request_id: z.string().min(1) });

const r = {
  topology: createRoute({ method: 'get', path: '/servers/{server_id}/topology', tags, summary: 'Show the server NUMA topology (2.78)', request: { params: ServerIdParam }, responses: { 200: json(ServerTopology, 'Topology') } }),
  metaList: createRoute({ method: 'get', path: '/servers/{server_id}/metadata', tags, summary: 'List server metadata', request: { params: ServerIdParam }, responses: { 200: json(MetadataBody, 'Metadata') } }),
  metaMerge: createRoute({ method: 'post', path: '/servers/{server_id}/metadata', tags, summary: 'Create or update metadata items', request: { params: ServerIdParam, ...body(MetadataBody) }, responses: { 200: json(MetadataBody, 'Metadata') } }),
  metaReplace: createRoute({ method: 'put', path: '/servers/{server_id}/metadata', tags, summary: 'Replace all metadata', request: { params: ServerIdParam, ...body(MetadataBody) }, responses: { 200: json(MetadataBody, 'Metadata') } }),
  metaShow: createRoute({ method: 'get', path: '/servers/{server_id}/metadata/{key}', tags, summary: 'Show a metadata item', request: { params: KeyParam }, responses: { 200: json(MetaItemBody, 'Item') } }),
  metaPut: createRoute({ method: 'put', path: '/servers/{server_id}/metadata/{key}', tags, summary: 'Set a metadata item', request: { params: KeyParam, ...body(MetaItemBody) }, responses: { 200: json(MetaItemBody, 'Item') } }),
  metaDelete: createRoute({ method: 'delete', path: '/servers/{server_id}/metadata/{key}', tags, summary: 'Delete a metadata item', request: { params: KeyParam }, responses: { 204: noContent } }),
  tagList: createRoute({ method: 'get', path: '/servers/{server_id}/tags', tags, summary: 'List tags (2.26)', request: { params: ServerIdParam }, responses: { 200: json(TagsList, 'Tags') } }),
  tagReplace: createRoute({ method: 'put', path: '/servers/{server_id}/tags', tags, summary: 'Replace tags (2.26)', request: { params: ServerIdParam, ...body(TagsBody) }, responses: { 200: json(TagsList, 'Tags') } }),
  tagClear: createRoute({ method: 'delete', path: '/servers/{server_id}/tags', tags, summary: 'Delete all tags (2.26)', request: { params: ServerIdParam }, responses: { 204: noContent } }),
  tagCheck: createRoute({ method: 'get', path: '/servers/{server_id}/tags/{tag}', tags, summary: 'Check a tag (2.26)', request: { params: TagParam }, responses: { 204: noContent } }),
  tagAdd: createRoute({ method: 'put', path: '/servers/{server_id}/tags/{tag}', tags, summary: 'Add a tag (2.26)', request: { params: TagParam }, responses: { 201: noContent, 204: noContent } }),
  tagDelete: createRoute({ method: 'delete', path: '/servers/{server_id}/tags/{tag}', tags, summary: 'Delete a tag (2.26)', request: { params: TagParam }, responses: { 204: noContent } }),
  ips: createRoute({ method: 'get', path: '/servers/{server_id}/ips', tags, summary: 'List addresses', request: { params: ServerIdParam }, responses: { 200: json(Addresses, 'Addresses') } }),
  ipsNet: createRoute({ method: 'get', path: '/servers/{server_id}/ips/{network}', tags, summary: 'Addresses on one network', request: { params: NetParam }, responses: { 200: json(NetworkAddresses, 'Addresses') } }),
  password: createRoute({ method: 'get', path: '/servers/{server_id}/os-server-password', tags, summary: 'The encrypted admin password a guest posted (always empty here)', request: { params: ServerIdParam }, responses: { 200: json(z.object({ password: z.string() }), 'Password') } }),
  passwordClear: createRoute({ method: 'delete', path: '/servers/{server_id}/os-server-password', tags, summary: 'Clear the posted password', request: { params: ServerIdParam }, responses: { 204: noContent } }),
  actions: createRoute({ method: 'get', path: '/servers/{server_id}/os-instance-actions', tags, summary: 'List instance actions', request: { params: ServerIdParam }, responses: { 200: json(InstanceActions, 'Actions') } }),
  action: createRoute({ method: 'get', path: '/servers/{server_id}/os-instance-actions/{request_id}', tags, summary: 'Show an instance action', request: { params: ReqParam }, responses: { 200: json(InstanceActionShow, 'Action') } }),
};

async function writeMetadata(c: Ctx, s: ServerRecord, metadata: Record<string, string>): Promise<void> {
  checkLock(c, s);
  if (Object.keys(metadata).length > MAX_METADATA) throw forbidden(`Maximum number of metadata items exceeds ${MAX_METADATA}`);
  await serverStore(c).annotate(s, { [CA.metadata]: JSON.stringify(metadata) });
}

function requireTags(c: Ctx): void {
  if (!versionOf(c).atLeast('2.26')) throw notFound('The resource could not be found.');
}
function checkTag(tag: string): void {
  if (tag.length > 60 || /[,/]/.test(tag)) throw badRequest(`Invalid tag: ${tag}`);
}
async function writeTags(c: Ctx, s: ServerRecord, t: string[]): Promise<void> {
  if (t.length > 50) throw badRequest('The number of tags exceeded the per-server limit 50');
  for (const x of t) checkTag(x);
  await serverStore(c).annotate(s, { [CA.tags]: JSON.stringify(t) });
}

const addressList = (s: ServerRecord) => s.addresses.map((a) => ({ addr: a.addr, version: a.version }));

/** The pod interface's addresses and those of the server's ports (network service), by network name. */
async function allAddresses(c: Ctx, s: ServerRecord): Promise<Record<string, { addr: string; version: number }[]>> {
  const list = addressList(s);
  const ports = (await serverAddresses(netContext(c))).get(s.id) ?? {};
  const out: Record<string, { addr: string; version: number }[]> = list.length ? { [POD_NETWORK]: list } : {};
  for (const [net, addrs] of Object.entries(ports)) out[net] = addrs.map((a) => ({ addr: a.addr, version: a.version }));
  return out;
}

/** The action log, the latest entry closed once its task is observed done. */
function actionsOf(s: ServerRecord): ActionRecord[] {
  const log = readActions(s.vm.metadata.annotations?.[CA.actions]);
  const last = log[log.length - 1];
  if (last && last.finish_time === null && s.state.taskState === null) {
    log[log.length - 1] = { ...last, finish_time: s.updated, result: s.state.vmState === 'error' ? 'Error' : 'Success' };
  }
  return log;
}

const actionView = (s: ServerRecord, a: ActionRecord, withUpdated: boolean) => ({
  action: a.action,
  instance_uuid: s.id,
  message: a.message,
  project_id: a.project_id,
  request_id: a.request_id,
  start_time: isoMicros(a.start_time),
  user_id: a.user_id,
  ...(withUpdated ? { updated_at: isoMicros(a.finish_time ?? a.start_time) } : {}),
});

export const subresourceRoutes = router()
  // A guest posts its encrypted password to the metadata service, which Dicot does not serve:
  // no server has one (Nova's answer is then the empty string), and clearing changes nothing.
  .openapi(r.password, async (c) => {
    await loadServer(c, c.req.valid('param').server_id);
    return c.json({ password: '' }, 200);
  })
  .openapi(r.passwordClear, async (c) => {
    await loadServer(c, c.req.valid('param').server_id);
    return c.body(null, 204);
  })
  .openapi(r.topology, async (c) => {
    if (!versionOf(c).atLeast('2.78')) throw notFound('The resource could not be found.');
    const s = await loadServer(c, c.req.valid('param').server_id);
    const topology = topologyOf(s.vmi?.spec ?? s.vm.spec.template?.spec);
    // Nodes would carry host_node and cpu_pinning for admins (policy topology:host:index).
    if (!topology) throw notImplemented(`Server ${s.id} has guest NUMA cells mirrored from its host; KubeVirt does not expose them, so its topology cannot be shown.`);
    return c.json(topology, 200);
  })
  .openapi(r.metaList, async (c) => c.json({ metadata: (await loadServer(c, c.req.valid('param').server_id)).metadata }, 200))
  .openapi(r.metaMerge, async (c) => {
    const s = await loadServer(c, c.req.valid('param').server_id);
    const metadata = { ...s.metadata, ...c.req.valid('json').metadata };
    await writeMetadata(c, s, metadata);
    return c.json({ metadata }, 200);
  })
  .openapi(r.metaReplace, async (c) => {
    const s = await loadServer(c, c.req.valid('param').server_id);
    const { metadata } = c.req.valid('json');
    await writeMetadata(c, s, metadata);
    return c.json({ metadata }, 200);
  })
  .openapi(r.metaShow, async (c) => {
    const { server_id, key } = c.req.valid('param');
    const s = await loadServer(c, server_id);
    const value = s.metadata[key];
    if (value === undefined) throw notFound('Metadata item was not found');
    return c.json({ meta: { [key]: value } }, 200);
  })
  .openapi(r.metaPut, async (c) => {
    const { server_id, key } = c.req.valid('param');
    const { meta } = c.req.valid('json');
    if (!(key in meta)) throw badRequest('Request body and URI mismatch');
    if (Object.keys(meta).length > 1) throw badRequest('Request body contains too many items');
    const s = await loadServer(c, server_id);
    await writeMetadata(c, s, { ...s.metadata, [key]: meta[key] as string });
    return c.json({ meta: { [key]: meta[key] as string } }, 200);
  })
  .openapi(r.metaDelete, async (c) => {
    const { server_id, key } = c.req.valid('param');
    const s = await loadServer(c, server_id);
    if (!(key in s.metadata)) throw notFound('Metadata item was not found');
    const { [key]: _, ...rest } = s.metadata;
    await writeMetadata(c, s, rest);
    return c.body(null, 204);
  })
  .openapi(r.tagList, async (c) => {
    requireTags(c);
    return c.json({ tags: (await loadServer(c, c.req.valid('param').server_id)).tags }, 200);
  })
  .openapi(r.tagReplace, async (c) => {
    requireTags(c);
    const s = await loadServer(c, c.req.valid('param').server_id);
    const t = [...new Set(c.req.valid('json').tags)];
    await writeTags(c, s, t);
    return c.json({ tags: t }, 200);
  })
  .openapi(r.tagClear, async (c) => {
    requireTags(c);
    await writeTags(c, await loadServer(c, c.req.valid('param').server_id), []);
    return c.body(null, 204);
  })
  .openapi(r.tagCheck, async (c) => {
    requireTags(c);
    const { server_id, tag } = c.req.valid('param');
    if (!(await loadServer(c, server_id)).tags.includes(tag)) throw notFound(`Tag ${tag} could not be found.`);
    return c.body(null, 204);
  })
  .openapi(r.tagAdd, async (c) => {
    requireTags(c);
    const { server_id, tag } = c.req.valid('param');
    checkTag(tag);
    const s = await loadServer(c, server_id);
    if (s.tags.includes(tag)) return c.body(null, 204);
    await writeTags(c, s, [...s.tags, tag]);
    c.header('Location', `${c.req.url.replace(/^https?:\/\/[^/]+/, c.get('baseUrl'))}`);
    return c.body(null, 201);
  })
  .openapi(r.tagDelete, async (c) => {
    requireTags(c);
    const { server_id, tag } = c.req.valid('param');
    const s = await loadServer(c, server_id);
    if (!s.tags.includes(tag)) throw notFound(`Tag ${tag} could not be found.`);
    await writeTags(c, s, s.tags.filter((t) => t !== tag));
    return c.body(null, 204);
  })
  .openapi(r.ips, async (c) => {
    const s = await loadServer(c, c.req.valid('param').server_id);
    return c.json({ addresses: await allAddresses(c, s) }, 200);
  })
  .openapi(r.ipsNet, async (c) => {
    const { server_id, network } = c.req.valid('param');
    const s = await loadServer(c, server_id);
    const list = (await allAddresses(c, s))[network];
    if (!list?.length) throw notFound('Instance is not a member of specified network');
    return c.json({ [network]: list }, 200);
  })
  .openapi(r.actions, async (c) => {
    const s = await loadServer(c, c.req.valid('param').server_id);
    const withUpdated = versionOf(c).atLeast('2.58');
    const list = actionsOf(s).reverse().map((a) => actionView(s, a, withUpdated));
    return c.json({ instanceActions: list }, 200);
  })
  .openapi(r.action, async (c) => {
    const { server_id, request_id } = c.req.valid('param');
    const s = await loadServer(c, server_id);
    const a = actionsOf(s).find((x) => x.request_id === request_id);
    if (!a) throw notFound(`Action for request_id ${request_id} on instance ${s.id} not found`);
    const auth = authOf(c);
    const showEvents = auth.isAdmin || versionOf(c).atLeast('2.51');
    const event = {
      event: `compute_${a.action.replace(/-/g, '_')}`,
      start_time: isoMicros(a.start_time),
      finish_time: a.finish_time ? isoMicros(a.finish_time) : null,
      result: a.result,
      ...(auth.isAdmin ? { traceback: null } : {}),
    };
    return c.json({ instanceAction: { ...actionView(s, a, versionOf(c).atLeast('2.58')), events: showEvents ? [event] : [] } }, 200);
  });
