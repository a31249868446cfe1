import { createRoute, z } from '@hono/zod-openapi';
import { ApiFault, badRequest, conflict, notFound } from '../../src/core/faults.ts';
import { type NetContext, isOwner, netContext } from '../../src/network/context.ts';
import { type FipAttrs, type FipRec, createFloatingIp, deleteFloatingIp, updateFloatingIp, visibleFip } from '../../src/network/floating-ips.ts';
import { type NetworkAttrs, type NetworkRec, canSeeNetwork, ensureInfra } from '../../src/network/networks.ts';
import type { PortAttrs } from '../../src/network/ports.ts';
import { KINDS, type Rec } from '../../src/network/store.ts';
import type { ServerRecord } from '../../src/compute/servers.ts';
import { type Ctx, parseBody, router, versionOf } from './common.ts';
import { AnyObject, IdParam, json } from './schemas/common.ts';

// Nova's floating IP proxies (removed in 2.36): `os-floating-ips` and `os-floating-ip-pools`
// over the network service's floating IPs (a pool is an external network), and the
// addFloatingIp / removeFloatingIp server actions (up to 2.43), which associate the address
// with one of the server's ports.

const tags = ['compute: network proxies'];
const r = {
  pools: createRoute({ method: 'get', path: '/os-floating-ip-pools', tags, summary: 'Floating IP pools: external networks (proxy, up to 2.35)', responses: { 200: json(z.object({ floating_ip_pools: z.array(AnyObject) }), 'Pools') } }),
  list: createRoute({ method: 'get', path: '/os-floating-ips', tags, summary: 'List floating IPs (proxy, up to 2.35)', responses: { 200: json(z.object({ floating_ips: z.array(AnyObject) }), 'Floating IPs') } }),
  show: createRoute({ method: 'get', path: '/os-floating-ips/{id}', tags, summary: 'Show a floating IP (proxy, up to 2.35)', request: { params: IdParam }, responses: { 200: json(z.object({ floating_ip: AnyObject }), 'Floating IP') } }),
  create: createRoute({ method: 'post', path: '/os-floating-ips', tags, summary: 'Allocate a floating IP (proxy, up to 2.35)', request: { body: { content: { 'application/json': { schema: AnyObject } }, required: false } }, responses: { 200: json(z.object({ floating_ip: AnyObject }), 'Floating IP') } }),
  delete: createRoute({ method: 'delete', path: '/os-floating-ips/{id}', tags, summary: 'Release a floating IP (proxy, up to 2.35)', request: { params: IdParam }, responses: { 202: { description: 'Accepted' } } }),
};

/** Network-service faults in Nova's words: 404 stays, a conflict is Nova's 400. */
export async function nova<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiFault && err.status === 404) throw notFound(err.message);
    if (err instanceof ApiFault && err.status === 409) throw badRequest(err.message);
    throw err;
  }
}

function check(c: Ctx): void {
  if (versionOf(c).atLeast('2.36')) throw notFound('The resource could not be found.');
}

async function networks(ctx: NetContext): Promise<NetworkRec[]> {
  await ensureInfra(ctx);
  return (await ctx.store.list<NetworkAttrs>(KINDS.network)).filter((n) => canSeeNetwork(ctx, n));
}

/** Nova's floating IP view: the pool is the external network's name, the instance the port's device. */
export function novaFloatingIp(f: FipRec, pools: Map<string, string>, ports: Map<string, Rec<PortAttrs>>) {
  const port = f.attrs.port_id ? ports.get(f.attrs.port_id) : undefined;
  return { id: f.id, ip: f.attrs.floating_ip_address, fixed_ip: f.attrs.fixed_ip_address, instance_id: port?.attrs.device_id || null, pool: pools.get(f.attrs.floating_network_id) ?? null };
}

async function views(ctx: NetContext, fips: FipRec[]) {
  const [nets, ports] = await Promise.all([networks(ctx), fips.some((f) => f.attrs.port_id) ? ctx.store.list<PortAttrs>(KINDS.port) : Promise.resolve([])]);
  const pools = new Map(nets.map((n) => [n.id, n.attrs.name]));
  const byId = new Map(ports.map((p) => [p.id, p]));
  return fips.map((f) => novaFloatingIp(f, pools, byId));
}

const view = async (ctx: NetContext, f: FipRec) => (await views(ctx, [f]))[0] as ReturnType<typeof novaFloatingIp>;

/** The optional body: none, or `{"pool": name}`; malformed JSON is Nova's 400. */
function createBody(text: string): unknown {
  if (!text.trim()) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('Malformed request body');
  }
}

const Create = z.strictObject({ pool: z.string().min(1).optional() }).nullable().optional();

export const floatingIpRoutes = router()
  .openapi(r.pools, async (c) => {
    check(c);
    const external = (await networks(netContext(c))).filter((n) => n.attrs.external);
    return c.json({ floating_ip_pools: external.map((n) => ({ name: n.attrs.name })).sort((a, b) => a.name.localeCompare(b.name)) }, 200);
  })
  .openapi(r.list, async (c) => {
    check(c);
    const ctx = netContext(c);
    const mine = (await ctx.store.list<FipAttrs>(KINDS.floatingip)).filter((f) => isOwner(ctx, f));
    return c.json({ floating_ips: await views(ctx, mine) }, 200);
  })
  .openapi(r.show, async (c) => {
    check(c);
    const ctx = netContext(c);
    const f = await nova(() => visibleFip(ctx, c.req.valid('param').id));
    return c.json({ floating_ip: await view(ctx, f) }, 200);
  })
  .openapi(r.create, async (c) => {
    check(c);
    const req = parseBody(Create, createBody(await c.req.text()));
    const ctx = netContext(c);
    const external = (await networks(ctx)).filter((n) => n.attrs.external).sort((a, b) => a.attrs.name.localeCompare(b.attrs.name));
    // Nova finds a pool by name or by id.
    const pool = req?.pool === undefined ? external[0] : external.find((n) => n.attrs.name === req.pool || n.id === req.pool);
    if (!pool) throw notFound(`Floating IP pool not found.`);
    const { fip } = await nova(() => createFloatingIp(ctx, { floating_network_id: pool.id }));
    return c.json({ floating_ip: await view(ctx, fip) }, 200);
  })
  .openapi(r.delete, async (c) => {
    check(c);
    await nova(() => deleteFloatingIp(netContext(c), c.req.valid('param').id));
    return c.body(null, 202);
  });

/** The caller's floating IP with this address (Nova's 404 otherwise). */
export async function fipByAddress(ctx: NetContext, address: string): Promise<FipRec> {
  const f = (await ctx.store.list<FipAttrs>(KINDS.floatingip)).find((x) => isOwner(ctx, x) && x.attrs.floating_ip_address === address);
  if (!f) throw notFound(`Floating IP not found for address ${address}.`);
  return f;
}

/** Associates `address` with the server's port (the one holding `fixed`, else its first IPv4 one). */
export async function associate(ctx: NetContext, s: ServerRecord, address: string, fixed: string | undefined): Promise<void> {
  const f = await fipByAddress(ctx, address);
  const ports = (await ctx.store.list<PortAttrs>(KINDS.port)).filter((p) => p.attrs.device_id === s.id);
  const port = ports.find((p) => p.attrs.fixed_ips.some((ip) => (fixed ? ip.ip_address === fixed : !ip.ip_address.includes(':'))));
  if (!port) throw badRequest(fixed ? `Specified fixed address ${fixed} not assigned to instance` : `Instance ${s.id} has no port with an IPv4 address (servers on the pod network have none)`);
  await nova(() => updateFloatingIp(ctx, f.id, { port_id: port.id, ...(fixed ? { fixed_ip_address: fixed } : {}) }));
}

export async function disassociate(ctx: NetContext, s: ServerRecord, address: string): Promise<void> {
  const f = await fipByAddress(ctx, address);
  const ports = (await ctx.store.list<PortAttrs>(KINDS.port)).filter((p) => p.attrs.device_id === s.id);
  if (!f.attrs.port_id || !ports.some((p) => p.id === f.attrs.port_id)) throw conflict(`Floating IP ${address} is not associated with instance ${s.id}.`);
  await nova(() => updateFloatingIp(ctx, f.id, { port_id: null }));
}
