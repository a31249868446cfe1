import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../src/core/faults.ts';
import { netContext } from '../../src/network/context.ts';
import { type NetworkAttrs, type NetworkRec, canSeeNetwork, ensureInfra } from '../../src/network/networks.ts';
import { KINDS, standardFields } from '../../src/network/store.ts';
import { type Ctx, authOf, router, versionOf } from './common.ts';
import { AnyObject, IdParam, json } from './schemas/common.ts';

// Nova's network proxies (removed in 2.36): `os-networks` and `os-tenant-networks` list the
// Neutron networks the caller may see, in the shape Nova gives a Neutron network (most
// nova-network fields null; `label` is the name).

const tags = ['compute: network proxies'];
const NetList = z.object({ networks: z.array(AnyObject) });
const NetShow = z.object({ network: AnyObject });
const list = createRoute({ method: 'get', path: '/os-networks', tags, summary: 'List networks (proxy, up to 2.35)', responses: { 200: json(NetList, 'Networks') } });
const show = createRoute({ method: 'get', path: '/os-networks/{id}', tags, summary: 'Show a network (proxy, up to 2.35)', request: { params: IdParam }, responses: { 200: json(NetShow, 'Network') } });
const tenantList = createRoute({ method: 'get', path: '/os-tenant-networks', tags, summary: 'List project networks (proxy, up to 2.35)', responses: { 200: json(NetList, 'Networks') } });
const tenantShow = createRoute({ method: 'get', path: '/os-tenant-networks/{id}', tags, summary: 'Show a project network (proxy, up to 2.35)', request: { params: IdParam }, responses: { 200: json(NetShow, 'Network') } });

const USER_FIELDS = ['cidr', 'netmask', 'gateway', 'broadcast', 'dns1', 'dns2', 'cidr_v6', 'gateway_v6', 'netmask_v6'];
const ADMIN_FIELDS = ['deleted_at', 'injected', 'bridge', 'vlan', 'vpn_public_address', 'vpn_public_port', 'vpn_private_address', 'dhcp_start', 'host', 'bridge_interface', 'multi_host', 'priority', 'rxtx_base', 'dhcp_server', 'enable_dhcp', 'share_address'];

/** Nova's network_dict for a Neutron network: what Neutron knows, the rest null; admins see more keys. */
export function novaNetwork(r: NetworkRec, admin: boolean): Record<string, unknown> {
  const base = { id: r.id, label: r.attrs.name, ...Object.fromEntries(USER_FIELDS.map((k) => [k, null])) };
  if (!admin) return base;
  const std = standardFields(r);
  return { ...base, ...Object.fromEntries(ADMIN_FIELDS.map((k) => [k, null])), created_at: std.created_at, updated_at: std.updated_at, deleted: false, project_id: r.projectId || null, mtu: r.attrs.mtu ?? null };
}

/** Nova's tenant-network view: id, label, cidr (null: a Neutron network has none of its own). */
export const tenantNetwork = (r: NetworkRec) => ({ id: r.id, cidr: null, label: r.attrs.name });

async function visible(c: Ctx): Promise<NetworkRec[]> {
  if (versionOf(c).atLeast('2.36')) throw notFound('The resource could not be found.');
  const ctx = netContext(c);
  await ensureInfra(ctx);
  const all = await ctx.store.list<NetworkAttrs>(KINDS.network);
  return all.filter((n) => canSeeNetwork(ctx, n)).sort((a, b) => a.attrs.name.localeCompare(b.attrs.name) || a.id.localeCompare(b.id));
}

async function one(c: Ctx, id: string): Promise<NetworkRec> {
  const n = (await visible(c)).find((x) => x.id === id);
  if (!n) throw notFound(`Network ${id} could not be found.`);
  return n;
}

export const networkProxyRoutes = router()
  .openapi(list, async (c) => c.json({ networks: (await visible(c)).map((n) => novaNetwork(n, authOf(c).isAdmin)) }, 200))
  .openapi(show, async (c) => c.json({ network: novaNetwork(await one(c, c.req.valid('param').id), authOf(c).isAdmin) }, 200))
  .openapi(tenantList, async (c) => c.json({ networks: (await visible(c)).map(tenantNetwork) }, 200))
  .openapi(tenantShow, async (c) => c.json({ network: tenantNetwork(await one(c, c.req.valid('param').id)) }, 200));
