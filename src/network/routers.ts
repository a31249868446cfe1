import { badRequest } from '../core/faults.ts';
import { type NetContext, asSystem, isOwner, nfault, targetProject, writer } from './context.ts';
import { contains, formatCidr, formatIp, overlaps, parseCidr, parseIp } from './ip.ts';
import { type NetworkAttrs, assertOwner, networkNotFound } from './networks.ts';
import { type PortAttrs, type PortRec, createPort, portNotFound, removePort } from './ports.ts';
import type { View } from './query.ts';
import { type Attrs, KINDS, NL, type Rec, standardFields } from './store.ts';
import { type SubnetAttrs, type SubnetRec, subnetNotFound, visibleSubnet } from './subnets.ts';
import { type Body, bool, onlyKeys, str, strList } from './validate.ts';

// Routers are recorded as Dicot `Router` objects: Kubernetes has no router between Multus
// networks, so interfaces (ports owned by network:router_interface), the external gateway
// (a port on `public`) and extra routes are bookkeeping that carries no traffic (README).

export interface Route {
  destination: string;
  nexthop: string;
}

export interface GatewayInfo {
  network_id: string;
  enable_snat: boolean;
  external_fixed_ips: { subnet_id: string; ip_address: string }[];
}

export interface RouterAttrs extends Attrs {
  name: string;
  description: string;
  admin_state_up: boolean;
  external_gateway_info: GatewayInfo | null;
  routes: Route[];
  availability_zone_hints: string[];
  tags: string[];
}

export type RouterRec = Rec<RouterAttrs>;

export const routerNotFound = (id: string) => nfault(404, 'RouterNotFound', `Router ${id} could not be found`);
export const INTERFACE_OWNER = 'network:router_interface';
export const GATEWAY_OWNER = 'network:router_gateway';

export function routerView(r: RouterRec): View {
  const a = r.attrs;
  return {
    ...standardFields(r),
    name: a.name ?? '',
    admin_state_up: a.admin_state_up ?? true,
    status: 'ACTIVE',
    external_gateway_info: a.external_gateway_info ?? null,
    routes: a.routes ?? [],
    distributed: false,
    ha: false,
    availability_zone_hints: a.availability_zone_hints ?? [],
    availability_zones: ['nova'],
    flavor_id: null,
  };
}

export async function visibleRouter(ctx: NetContext, id: string): Promise<RouterRec> {
  const r = await ctx.store.find<RouterAttrs>(KINDS.router, id);
  if (!r || !isOwner(ctx, r)) throw routerNotFound(id);
  return r;
}

const routerPorts = (ctx: NetContext, routerId: string) => ctx.store.list<PortAttrs>(KINDS.port, `${NL.deviceId}=${routerId}`);

async function gatewayInfo(ctx: NetContext, r: RouterRec, info: unknown): Promise<GatewayInfo | null> {
  if (info === null || info === undefined || (typeof info === 'object' && Object.keys(info as object).length === 0)) {
    for (const p of (await routerPorts(ctx, r.id)).filter((x) => x.attrs.device_owner === GATEWAY_OWNER)) await removePort(ctx, p);
    return null;
  }
  const b = info as Record<string, unknown>;
  if (typeof b.network_id !== 'string') throw badRequest('Invalid input for external_gateway_info. Reason: network_id is required.');
  const net = await ctx.store.find<NetworkAttrs>(KINDS.network, b.network_id);
  if (!net || !(isOwner(ctx, net) || net.attrs.shared || net.attrs.external)) throw networkNotFound(b.network_id);
  if (!net.attrs.external) throw nfault(400, 'BadRequest', `Bad router request: Network ${net.id} is not an external network.`);
  const snat = b.enable_snat === undefined ? true : Boolean(b.enable_snat);
  if (b.enable_snat !== undefined && !ctx.caller.isAdmin && b.enable_snat !== true) throw nfault(403, 'PolicyNotAuthorized', '(rule:create_router:external_gateway_info:enable_snat) is disallowed by policy');
  const cur = r.attrs.external_gateway_info;
  if (cur && cur.network_id === net.id && b.external_fixed_ips === undefined) return { ...cur, enable_snat: snat };
  for (const p of (await routerPorts(ctx, r.id)).filter((x) => x.attrs.device_owner === GATEWAY_OWNER)) await removePort(ctx, p);
  const fixed = Array.isArray(b.external_fixed_ips) ? (b.external_fixed_ips as Record<string, unknown>[]) : undefined;
  const port = await createPort(
    asSystem(ctx),
    { network_id: net.id, device_owner: GATEWAY_OWNER, device_id: r.id, project_id: r.projectId, ...(fixed ? { fixed_ips: fixed } : {}), security_groups: [] },
    { network: net },
  );
  return { network_id: net.id, enable_snat: snat, external_fixed_ips: port.attrs.fixed_ips };
}

const ROUTER_KEYS = ['name', 'description', 'admin_state_up', 'external_gateway_info', 'routes', 'availability_zone_hints', 'distributed', 'ha', 'tenant_id', 'project_id', 'tags', 'flavor_id'];

export async function createRouter(ctx: NetContext, b: Body): Promise<RouterRec> {
  onlyKeys(b, ROUTER_KEYS, 'router');
  const projectId = targetProject(ctx, b);
  if (b.distributed === true || b.ha === true) throw nfault(400, 'BadRequest', 'Distributed and HA routers are not supported.');
  const namespace = await ctx.namespaceOf(projectId);
  const client = writer(ctx, projectId);
  const router = await ctx.store.create<RouterAttrs>(
    KINDS.router,
    client,
    {
      name: str(b, 'name') ?? '',
      description: str(b, 'description') ?? '',
      admin_state_up: bool(b, 'admin_state_up') ?? true,
      external_gateway_info: null,
      routes: [],
      availability_zone_hints: strList(b, 'availability_zone_hints') ?? [],
      tags: strList(b, 'tags') ?? [],
    },
    { namespace, generateName: 'router-', projectId },
  );
  if (!b.external_gateway_info) return router;
  try {
    const info = await gatewayInfo(ctx, router, b.external_gateway_info);
    return await ctx.store.update(KINDS.router, client, router, (cur) => ({ attrs: { ...cur.attrs, external_gateway_info: info } }));
  } catch (err) {
    await ctx.store.remove(KINDS.router, ctx.gw, router).catch(() => {});
    throw err;
  }
}

async function checkRoutes(ctx: NetContext, r: RouterRec, v: unknown): Promise<Route[]> {
  if (v === null) return [];
  if (!Array.isArray(v)) throw badRequest('Invalid input for routes. Reason: not a list.');
  const ports = await routerPorts(ctx, r.id);
  const subnets = (await ctx.store.list<SubnetAttrs>(KINDS.subnet)).filter((s) => ports.some((p) => p.attrs.fixed_ips.some((f) => f.subnet_id === s.id)));
  return v.map((x: Record<string, unknown>) => {
    const dest = typeof x?.destination === 'string' ? parseCidr(x.destination) : undefined;
    const hop = typeof x?.nexthop === 'string' ? parseIp(x.nexthop) : undefined;
    if (!dest || !hop) throw badRequest(`Invalid input for routes. Reason: Invalid data format for hostroute: '${JSON.stringify(x)}'.`);
    const reachable = subnets.some((s) => {
      const c = parseCidr(s.attrs.cidr);
      return c && contains(c, hop);
    });
    if (!reachable) throw nfault(400, 'InvalidRoutes', `Invalid format for routes: ${JSON.stringify(v)}, the nexthop is not connected with router`);
    return { destination: formatCidr(dest), nexthop: formatIp(hop) };
  });
}

export async function updateRouter(ctx: NetContext, id: string, b: Body): Promise<RouterRec> {
  const r = await visibleRouter(ctx, id);
  assertOwner(ctx, r, 'router');
  onlyKeys(b, ROUTER_KEYS.filter((k) => k !== 'tenant_id' && k !== 'project_id' && k !== 'tags'), 'router');
  const info = 'external_gateway_info' in b ? await gatewayInfo(ctx, r, b.external_gateway_info) : undefined;
  const routes = 'routes' in b ? await checkRoutes(ctx, r, b.routes) : undefined;
  return ctx.store.update(KINDS.router, writer(ctx, r.projectId), r, (cur) => ({
    attrs: {
      ...cur.attrs,
      name: str(b, 'name') ?? cur.attrs.name,
      description: str(b, 'description') ?? cur.attrs.description,
      admin_state_up: bool(b, 'admin_state_up') ?? cur.attrs.admin_state_up,
      ...(info !== undefined ? { external_gateway_info: info } : {}),
      ...(routes !== undefined ? { routes } : {}),
    },
  }));
}

/** add_extraroutes / remove_extraroutes (extraroute-atomic). */
export async function changeRoutes(ctx: NetContext, id: string, body: unknown, add: boolean): Promise<RouterRec> {
  const r = await visibleRouter(ctx, id);
  const routes = ((body as { router?: { routes?: unknown } })?.router?.routes ?? null) as unknown;
  const parsed = await (add ? checkRoutes(ctx, r, routes) : Promise.resolve(Array.isArray(routes) ? (routes as Route[]) : []));
  return ctx.store.update(KINDS.router, writer(ctx, r.projectId), r, (cur) => {
    const key = (x: Route) => `${x.destination}|${x.nexthop}`;
    const drop = new Set(parsed.map(key));
    const next = add ? [...cur.attrs.routes, ...parsed.filter((x) => !cur.attrs.routes.some((c) => key(c) === key(x)))] : cur.attrs.routes.filter((x) => !drop.has(key(x)));
    return { attrs: { ...cur.attrs, routes: next } };
  });
}

export async function deleteRouter(ctx: NetContext, id: string, hasFloatingIps: (routerId: string) => Promise<boolean>): Promise<void> {
  const r = await visibleRouter(ctx, id);
  assertOwner(ctx, r, 'router');
  const ports = await routerPorts(ctx, r.id);
  if (ports.some((p) => p.attrs.device_owner === INTERFACE_OWNER)) throw nfault(409, 'RouterInUse', `Router ${id} still has ports`);
  if (await hasFloatingIps(r.id)) throw nfault(409, 'RouterInUse', `Router ${id} still has floating IPs associated.`);
  for (const p of ports) await removePort(ctx, p);
  await ctx.store.remove(KINDS.router, writer(ctx, r.projectId), r);
}

export interface InterfaceInfo {
  id: string;
  tenant_id: string;
  project_id: string;
  port_id: string;
  subnet_id: string;
  subnet_ids: string[];
  network_id: string;
}

const infoOf = (r: RouterRec, p: PortRec): InterfaceInfo => ({
  id: r.id,
  tenant_id: r.projectId,
  project_id: r.projectId,
  port_id: p.id,
  subnet_id: p.attrs.fixed_ips[0]?.subnet_id ?? '',
  subnet_ids: p.attrs.fixed_ips.map((f) => f.subnet_id),
  network_id: p.attrs.network_id,
});

async function checkOverlap(ctx: NetContext, r: RouterRec, subnet: SubnetRec): Promise<void> {
  const ports = (await routerPorts(ctx, r.id)).filter((p) => p.attrs.device_owner === INTERFACE_OWNER);
  const ids = new Set(ports.flatMap((p) => p.attrs.fixed_ips.map((f) => f.subnet_id)));
  if (ids.has(subnet.id)) throw nfault(400, 'BadRequest', `Bad router request: Router already has a port on subnet ${subnet.id}.`);
  const mine = parseCidr(subnet.attrs.cidr);
  for (const s of (await ctx.store.list<SubnetAttrs>(KINDS.subnet)).filter((x) => ids.has(x.id))) {
    const c = parseCidr(s.attrs.cidr);
    if (mine && c && overlaps(mine, c)) {
      throw nfault(400, 'BadRequest', `Bad router request: Cidr ${subnet.attrs.cidr} of subnet ${subnet.id} overlaps with cidr ${s.attrs.cidr} of subnet ${s.id}.`);
    }
  }
}

export async function addInterface(ctx: NetContext, id: string, b: Body): Promise<InterfaceInfo> {
  const r = await visibleRouter(ctx, id);
  assertOwner(ctx, r, 'router');
  if (b.port_id !== undefined && b.subnet_id !== undefined) throw badRequest('Bad router request: Cannot specify both subnet-id and port-id');
  if (typeof b.port_id === 'string') {
    const port = await ctx.store.find<PortAttrs>(KINDS.port, b.port_id);
    if (!port || !isOwner(ctx, port)) throw portNotFound(b.port_id);
    if (port.attrs.device_id) throw nfault(409, 'PortInUse', `Unable to complete operation on port ${port.id} for network ${port.attrs.network_id}. Port already has an attached device ${port.attrs.device_id}.`);
    if (!port.attrs.fixed_ips.length) throw badRequest(`Bad router request: Router port must have at least one fixed IP.`);
    for (const f of port.attrs.fixed_ips) {
      const { subnet } = await visibleSubnet(ctx, f.subnet_id);
      await checkOverlap(ctx, r, subnet);
    }
    const updated = await ctx.store.update(KINDS.port, writer(ctx, port.projectId), port, (cur) => ({
      attrs: { ...cur.attrs, device_id: r.id, device_owner: INTERFACE_OWNER },
      labels: { [NL.deviceId]: r.id },
    }));
    return infoOf(r, updated);
  }
  if (typeof b.subnet_id !== 'string') throw badRequest('Bad router request: Either subnet_id or port_id must be specified');
  const { subnet } = await visibleSubnet(ctx, b.subnet_id);
  if (!subnet.attrs.gateway_ip) throw badRequest(`Bad router request: Subnet for router interface must have a gateway IP.`);
  await checkOverlap(ctx, r, subnet);
  const port = await createPort(ctx, {
    network_id: subnet.attrs.network_id,
    fixed_ips: [{ subnet_id: subnet.id, ip_address: subnet.attrs.gateway_ip }],
    device_owner: INTERFACE_OWNER,
    device_id: r.id,
    security_groups: [],
    ...(ctx.caller.isAdmin ? { project_id: r.projectId } : {}),
  });
  return infoOf(r, port);
}

export async function removeInterface(ctx: NetContext, id: string, b: Body): Promise<InterfaceInfo> {
  const r = await visibleRouter(ctx, id);
  assertOwner(ctx, r, 'router');
  const ports = (await routerPorts(ctx, r.id)).filter((p) => p.attrs.device_owner === INTERFACE_OWNER);
  let port: PortRec | undefined;
  if (typeof b.port_id === 'string') {
    port = ports.find((p) => p.id === b.port_id);
    if (!port) throw nfault(404, 'RouterInterfaceNotFound', `Router ${id} does not have an interface with id ${b.port_id}`);
    if (typeof b.subnet_id === 'string' && !port.attrs.fixed_ips.some((f) => f.subnet_id === b.subnet_id)) throw subnetNotFound(b.subnet_id);
  } else if (typeof b.subnet_id === 'string') {
    port = ports.find((p) => p.attrs.fixed_ips.some((f) => f.subnet_id === b.subnet_id));
    if (!port) throw nfault(404, 'RouterInterfaceNotFoundForSubnet', `Router ${id} has no interface on subnet ${b.subnet_id}`);
  } else {
    throw badRequest('Bad router request: Either subnet_id or port_id must be specified');
  }
  await removePort(ctx, port);
  return infoOf(r, port);
}
