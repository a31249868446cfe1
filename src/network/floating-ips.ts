import { badRequest } from '../core/faults.ts';
import { NotFoundError } from '../kube/index.ts';
import { allocateAddress, claimAddress, releaseAddresses } from './allocations.ts';
import { type NetContext, asSystem, isOwner, nfault, targetProject, writer } from './context.ts';
import { parseIp } from './ip.ts';
import { type NetworkAttrs, assertOwner, networkNotFound } from './networks.ts';
import { type PortAttrs, type PortRec, portNotFound, portStatus } from './ports.ts';
import type { View } from './query.ts';
import { GATEWAY_OWNER, INTERFACE_OWNER, type RouterAttrs } from './routers.ts';
import { type Attrs, KINDS, NL, type Rec, standardFields } from './store.ts';
import { type SubnetAttrs, networkSubnets } from './subnets.ts';
import { type Body, onlyKeys, str, strList } from './validate.ts';

// Floating IPs: a Service of type LoadBalancer per address, in the owner's namespace. Its
// address is claimed on the external subnet first (race-free, like any port address) and
// asked for as spec.loadBalancerIP; unassociated it selects nothing, associated it selects
// the pods labelled with the port (port.openstack.dicot.io/<port id>).

export interface FipAttrs extends Attrs {
  floating_network_id: string;
  floating_ip_address: string;
  subnet_id: string;
  port_id: string | null;
  fixed_ip_address: string | null;
  router_id: string | null;
  description: string;
  tags: string[];
  /** Key of the address claim (IPAllocation port-id label). */
  claim: string;
}

export type FipRec = Rec<FipAttrs>;

/** TCP ports a floating IP forwards (a Service cannot forward "everything"). */
export const FORWARDED_PORTS = [22];
export const portLabel = (portId: string) => `port.openstack.dicot.io/${portId}`;
export const fipNotFound = (id: string) => nfault(404, 'FloatingIPNotFound', `Floating IP ${id} could not be found`);

export function fipView(f: FipRec, port?: PortRec): View {
  const a = f.attrs;
  return {
    ...standardFields(f),
    floating_network_id: a.floating_network_id,
    floating_ip_address: a.floating_ip_address,
    fixed_ip_address: a.port_id ? a.fixed_ip_address : null,
    port_id: a.port_id ?? null,
    router_id: a.port_id ? (a.router_id ?? null) : null,
    status: a.port_id ? 'ACTIVE' : 'DOWN',
    port_details: port
      ? {
          name: port.attrs.name,
          network_id: port.attrs.network_id,
          mac_address: port.attrs.mac_address,
          admin_state_up: port.attrs.admin_state_up,
          status: portStatus(port.attrs),
          device_id: port.attrs.device_id,
          device_owner: port.attrs.device_owner,
        }
      : null,
    port_forwardings: [],
  };
}

function serviceBody(portId: string | null, address: string) {
  return {
    spec: {
      type: 'LoadBalancer',
      loadBalancerIP: address,
      ...(portId ? { selector: { [portLabel(portId)]: 'true' } } : {}),
      ports: FORWARDED_PORTS.map((p) => ({ name: `tcp-${p}`, protocol: 'TCP', port: p, targetPort: p })),
    },
  };
}

/** The port's address to map and the router that reaches the external network from it. */
async function association(ctx: NetContext, externalId: string, portId: string, fixed: unknown): Promise<{ port: PortRec; fixed: string; router: string | null }> {
  const port = await ctx.store.find<PortAttrs>(KINDS.port, portId);
  if (!port || !isOwner(ctx, port)) throw portNotFound(portId);
  const v4 = port.attrs.fixed_ips.filter((f) => parseIp(f.ip_address)?.version === 4);
  let address: string;
  if (fixed !== undefined && fixed !== null) {
    if (typeof fixed !== 'string' || !parseIp(fixed)) throw badRequest(`Invalid input for fixed_ip_address. Reason: '${String(fixed)}' is not a valid IP address.`);
    if (!port.attrs.fixed_ips.some((f) => f.ip_address === fixed)) throw badRequest(`Bad floatingip request: Port ${portId} does not have fixed ip ${fixed}.`);
    address = fixed;
  } else {
    if (!v4.length) throw badRequest(`Bad floatingip request: Port ${portId} does not have any IPv4 address.`);
    if (v4.length > 1) throw badRequest(`Bad floatingip request: Port ${portId} has multiple fixed IPv4 addresses. Must provide a specific IPv4 address when assigning a floating IP.`);
    address = (v4[0] as { ip_address: string }).ip_address;
  }
  const subnetId = port.attrs.fixed_ips.find((f) => f.ip_address === address)?.subnet_id;
  const net = await ctx.store.find<NetworkAttrs>(KINDS.network, port.attrs.network_id);
  // Pods on the cluster network are reachable from a LoadBalancer without a router.
  if (net?.attrs.infra === 'pod') return { port, fixed: address, router: null };
  const routerPorts = await ctx.store.list<PortAttrs>(KINDS.port, `${NL.networkId}=${port.attrs.network_id}`);
  const routerIds = routerPorts.filter((p) => p.attrs.device_owner === INTERFACE_OWNER && p.attrs.fixed_ips.some((f) => f.subnet_id === subnetId)).map((p) => p.attrs.device_id);
  const routers = (await ctx.store.list<RouterAttrs>(KINDS.router)).filter((r) => routerIds.includes(r.id) && r.attrs.external_gateway_info?.network_id === externalId);
  if (!routers.length) {
    throw nfault(404, 'ExternalGatewayForFloatingIPNotFound', `External network ${externalId} is not reachable from subnet ${subnetId}. Therefore, cannot associate Port ${portId} with a Floating IP.`);
  }
  return { port, fixed: address, router: (routers[0] as { id: string }).id };
}

export async function createFloatingIp(ctx: NetContext, b: Body): Promise<{ fip: FipRec; port?: PortRec }> {
  onlyKeys(b, ['floating_network_id', 'floating_ip_address', 'subnet_id', 'port_id', 'fixed_ip_address', 'description', 'tenant_id', 'project_id', 'tags', 'dns_name', 'dns_domain', 'qos_policy_id'], 'floatingip');
  if (typeof b.floating_network_id !== 'string') throw badRequest("Failed to parse request. Required attribute 'floating_network_id' not specified");
  const projectId = targetProject(ctx, b);
  const net = await ctx.store.find<NetworkAttrs>(KINDS.network, b.floating_network_id);
  if (!net || !(isOwner(ctx, net) || net.attrs.shared || net.attrs.external)) throw networkNotFound(b.floating_network_id);
  if (!net.attrs.external) throw badRequest(`Bad floatingip request: Network ${net.id} is not a valid external network.`);
  const assoc = typeof b.port_id === 'string' ? await association(ctx, net.id, b.port_id, b.fixed_ip_address) : undefined;
  const subnets = (await networkSubnets(ctx, net.id)).filter((s) => s.attrs.ip_version === 4);
  const subnet = typeof b.subnet_id === 'string' ? subnets.find((s) => s.id === b.subnet_id) : subnets[0];
  if (!subnet) throw badRequest(`Bad floatingip request: Network ${net.id} has no IPv4 subnet${typeof b.subnet_id === 'string' ? ` ${b.subnet_id}` : ''}.`);
  if (b.floating_ip_address !== undefined && !ctx.caller.isAdmin) throw nfault(403, 'PolicyNotAuthorized', '(rule:create_floatingip:floating_ip_address) is disallowed by policy');
  const claim = crypto.randomUUID();
  const address = typeof b.floating_ip_address === 'string' ? await claimAddress(ctx, subnet, b.floating_ip_address, claim) : await allocateAddress(ctx, subnet, claim);
  try {
    const namespace = await ctx.namespaceOf(projectId);
    const attrs: FipAttrs = {
      floating_network_id: net.id,
      floating_ip_address: address,
      subnet_id: subnet.id,
      port_id: assoc?.port.id ?? null,
      fixed_ip_address: assoc?.fixed ?? null,
      router_id: assoc?.router ?? null,
      description: str(b, 'description') ?? '',
      tags: strList(b, 'tags') ?? [],
      claim,
    };
    const fip = await ctx.store.create(KINDS.floatingip, writer(ctx, projectId), attrs, {
      namespace,
      generateName: 'fip-',
      projectId,
      labels: { [NL.networkId]: net.id, ...(assoc ? { [NL.portId]: assoc.port.id } : {}) },
      body: serviceBody(attrs.port_id, address),
    });
    return { fip, ...(assoc ? { port: assoc.port } : {}) };
  } catch (err) {
    await releaseAddresses(ctx, claim).catch(() => {});
    throw err;
  }
}

export async function visibleFip(ctx: NetContext, id: string): Promise<FipRec> {
  const f = await ctx.store.find<FipAttrs>(KINDS.floatingip, id);
  if (!f || !isOwner(ctx, f)) throw fipNotFound(id);
  return f;
}

export async function updateFloatingIp(ctx: NetContext, id: string, b: Body): Promise<{ fip: FipRec; port?: PortRec }> {
  const f = await visibleFip(ctx, id);
  assertOwner(ctx, f, 'floatingip');
  onlyKeys(b, ['port_id', 'fixed_ip_address', 'description', 'dns_name', 'dns_domain', 'qos_policy_id'], 'floatingip');
  const assoc = 'port_id' in b && b.port_id !== null ? await association(ctx, f.attrs.floating_network_id, String(b.port_id), b.fixed_ip_address) : undefined;
  const detach = 'port_id' in b && b.port_id === null;
  const fip = await setAssociation(ctx, f, assoc ? { portId: assoc.port.id, fixed: assoc.fixed, router: assoc.router } : detach ? null : undefined, str(b, 'description'));
  const port = assoc?.port ?? (fip.attrs.port_id ? await ctx.store.find<PortAttrs>(KINDS.port, fip.attrs.port_id) : undefined);
  return { fip, ...(port ? { port } : {}) };
}

async function setAssociation(ctx: NetContext, f: FipRec, to: { portId: string; fixed: string; router: string | null } | null | undefined, description?: string): Promise<FipRec> {
  return ctx.store.update(KINDS.floatingip, writer(ctx, f.projectId), f, (cur) => {
    const a = cur.attrs;
    const next: FipAttrs = {
      ...a,
      ...(description !== undefined ? { description } : {}),
      ...(to === null ? { port_id: null, fixed_ip_address: null, router_id: null } : {}),
      ...(to ? { port_id: to.portId, fixed_ip_address: to.fixed, router_id: to.router } : {}),
    };
    const spec = serviceBody(next.port_id, next.floating_ip_address).spec as Record<string, unknown>;
    const curSpec = ((cur.obj as { spec?: Record<string, unknown> }).spec ?? {}) as Record<string, unknown>;
    const { selector: _s, ...keep } = curSpec;
    return { attrs: next, body: { spec: { ...keep, ...spec } }, labels: { [NL.portId]: next.port_id ?? '' } };
  });
}

export async function deleteFloatingIp(ctx: NetContext, id: string): Promise<void> {
  const f = await visibleFip(ctx, id);
  assertOwner(ctx, f, 'floatingip');
  await ctx.store.remove(KINDS.floatingip, writer(ctx, f.projectId), f);
  await releaseAddresses(ctx, f.attrs.claim);
}

/**
 * An external network being deleted takes its unassociated floating IPs with it (Neutron);
 * one still mapped to a port keeps the network.
 */
export async function releaseNetworkFloatingIps(ctx: NetContext, networkId: string): Promise<void> {
  const fips = await ctx.store.list<FipAttrs>(KINDS.floatingip, `${NL.networkId}=${networkId}`);
  if (fips.some((f) => f.attrs.port_id)) throw nfault(409, 'NetworkInUse', `Unable to complete operation on network ${networkId}. There are one or more floating IPs still in use on the network.`);
  const sys = asSystem(ctx);
  for (const f of fips) {
    await sys.store.remove(KINDS.floatingip, sys.gw, f);
    await releaseAddresses(sys, f.attrs.claim);
  }
}

/** Floating IPs mapped to a port lose the association when the port goes (Neutron does the same). */
export async function detachFromPort(ctx: NetContext, portId: string): Promise<void> {
  const fips = await ctx.store.list<FipAttrs>(KINDS.floatingip, `${NL.portId}=${portId}`);
  for (const f of fips) {
    try {
      await setAssociation(asSystem(ctx), f, null);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
}

export const routerHasFloatingIps = async (ctx: NetContext, routerId: string) =>
  (await ctx.store.list<FipAttrs>(KINDS.floatingip)).some((f) => f.attrs.router_id === routerId && f.attrs.port_id);

export type { SubnetAttrs };
export { GATEWAY_OWNER };
