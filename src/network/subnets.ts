import { badRequest } from '../core/faults.ts';
import { type NetContext, asSystem, isOwner, nfault, targetProject, writer } from './context.ts';
import { type Cidr, type Pool, contains, defaultPools, formatCidr, formatIp, lastOf, normalizeIp, overlaps, parseCidr, parseIp, poolRanges } from './ip.ts';
import { type NetworkAttrs, type NetworkRec, assertOwner, canSeeNetwork, nadBody, networkNotFound } from './networks.ts';
import type { View } from './query.ts';
import { type Attrs, KINDS, NL, type Rec, standardFields } from './store.ts';
import { type Body, bool, onlyKeys, str, strList } from './validate.ts';
import { type AllocAttrs, releaseAddresses } from './allocations.ts';
import type { PortAttrs } from './ports.ts';
import { POOL_LABEL, type PoolRec, allocateFromPool, visiblePool } from './subnet-pools.ts';

// Subnets: Dicot `Subnet` objects beside their network's NAD (owned by it, so deleting the
// network removes them). The NAD's CNI config follows the network's first IPv4 subnet.

export interface HostRoute {
  destination: string;
  nexthop: string;
}

export interface SubnetAttrs extends Attrs {
  name: string;
  description: string;
  network_id: string;
  ip_version: 4 | 6;
  cidr: string;
  gateway_ip: string | null;
  allocation_pools: Pool[];
  host_routes: HostRoute[];
  dns_nameservers: string[];
  enable_dhcp: boolean;
  ipv6_ra_mode: string | null;
  ipv6_address_mode: string | null;
  tags: string[];
  subnetpool_id?: string | null;
  /** The pool block's claim (released with the subnet). */
  pool_claim?: string;
}

export type SubnetRec = Rec<SubnetAttrs>;

export function subnetView(r: SubnetRec): View {
  const a = r.attrs;
  return {
    ...standardFields(r),
    name: a.name ?? '',
    network_id: a.network_id,
    ip_version: a.ip_version,
    subnetpool_id: a.subnetpool_id ?? null,
    enable_dhcp: a.enable_dhcp ?? true,
    ipv6_ra_mode: a.ipv6_ra_mode ?? null,
    ipv6_address_mode: a.ipv6_address_mode ?? null,
    gateway_ip: a.gateway_ip ?? null,
    cidr: a.cidr,
    allocation_pools: a.allocation_pools ?? [],
    host_routes: a.host_routes ?? [],
    dns_nameservers: a.dns_nameservers ?? [],
    service_types: [],
  };
}

export const subnetNotFound = (id: string) => nfault(404, 'SubnetNotFound', `Subnet ${id} could not be found.`);
export const canSeeSubnet = (ctx: NetContext, s: SubnetRec, net: NetworkRec | undefined) => isOwner(ctx, s) || (net !== undefined && (net.attrs.shared || isOwner(ctx, net)));

const IPV6_MODES = ['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless'];
const invalid = (msg: string) => nfault(400, 'InvalidInput', `Invalid input for operation: ${msg}`);

function checkIpList(values: string[], key: string, version: number): string[] {
  return values.map((v) => {
    const ip = parseIp(v);
    if (!ip) throw badRequest(`Invalid input for ${key}. Reason: '${v}' is not a valid IP address.`);
    if (ip.version !== version) throw invalid(`${key} ${v} does not match the ip_version ${version}.`);
    return formatIp(ip);
  });
}

function hostRoutes(b: Body, version: number): HostRoute[] | undefined {
  const v = b.host_routes;
  if (v === undefined) return undefined;
  if (v === null) return [];
  if (!Array.isArray(v)) throw badRequest(`Invalid input for host_routes. Reason: '${JSON.stringify(v)}' is not a list.`);
  return v.map((r: unknown) => {
    const o = r as Record<string, unknown>;
    const dest = typeof o?.destination === 'string' ? parseCidr(o.destination) : undefined;
    const hop = typeof o?.nexthop === 'string' ? parseIp(o.nexthop) : undefined;
    if (!dest || !hop) throw badRequest(`Invalid input for host_routes. Reason: Invalid data format for hostroute: '${JSON.stringify(r)}'.`);
    if (dest.version !== version || hop.version !== version) throw invalid(`Host route ${JSON.stringify(r)} does not match the ip_version ${version}.`);
    return { destination: formatCidr(dest), nexthop: formatIp(hop) };
  });
}

function pools(b: Body): Pool[] | undefined {
  const v = b.allocation_pools;
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((p) => !p || typeof p.start !== 'string' || typeof p.end !== 'string')) {
    throw badRequest(`Invalid input for allocation_pools. Reason: Invalid data format for IP pool: '${JSON.stringify(v)}'.`);
  }
  return (v as Pool[]).map((p) => ({ start: normalizeIp(p.start) ?? p.start, end: normalizeIp(p.end) ?? p.end }));
}

/** Gateway and pools checked together (create and update). */
function checkGatewayAndPools(cidr: Cidr, gateway: string | null, pools: Pool[]): void {
  const ranges = poolRanges(cidr, pools);
  if (typeof ranges === 'string') throw nfault(400, 'InvalidAllocationPool', ranges);
  if (gateway) {
    const gw = parseIp(gateway) as { value: bigint };
    if (ranges.some(([s, e]) => gw.value >= s && gw.value <= e)) {
      throw nfault(409, 'GatewayConflictWithAllocationPools', `Gateway ip ${gateway} conflicts with allocation pool ${pools.map((p) => `${p.start}-${p.end}`).join(', ')}`);
    }
  }
}

function gatewayOf(b: Body, cidr: Cidr, fallback: string | null): string | null {
  if (!('gateway_ip' in b)) return fallback;
  const g = b.gateway_ip;
  if (g === null) return null;
  const ip = typeof g === 'string' ? parseIp(g) : undefined;
  if (!ip) throw badRequest(`Invalid input for gateway_ip. Reason: '${String(g)}' is not a valid IP address.`);
  if (ip.version !== cidr.version) throw invalid(`gateway_ip ${g} does not match the ip_version ${cidr.version}.`);
  if (contains(cidr, ip) && (ip.value === cidr.base || (cidr.version === 4 && cidr.prefix < 31 && ip.value === lastOf(cidr)))) {
    throw invalid(`Gateway is not valid on subnet ${formatCidr(cidr)}.`);
  }
  return formatIp(ip);
}

const CREATE_KEYS = ['name', 'description', 'network_id', 'ip_version', 'cidr', 'gateway_ip', 'allocation_pools', 'host_routes', 'dns_nameservers', 'enable_dhcp', 'ipv6_ra_mode', 'ipv6_address_mode', 'tenant_id', 'project_id', 'subnetpool_id', 'prefixlen', 'service_types', 'segment_id', 'use_default_subnetpool', 'tags'];
const UPDATE_KEYS = ['name', 'description', 'gateway_ip', 'allocation_pools', 'host_routes', 'dns_nameservers', 'enable_dhcp', 'service_types'];

export async function networkSubnets(ctx: NetContext, networkId: string): Promise<SubnetRec[]> {
  return ctx.store.list<SubnetAttrs>(KINDS.subnet, `${NL.networkId}=${networkId}`);
}

/** Rewrites the NAD's CNI config from the network's first IPv4 subnet. */
export async function syncNad(ctx: NetContext, net: NetworkRec, subnets: SubnetRec[]): Promise<void> {
  if (net.attrs.infra) return;
  const v4 = subnets.filter((s) => s.attrs.ip_version === 4).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))[0];
  const body = nadBody(ctx, net.object, net.namespace, v4?.attrs);
  if (JSON.stringify((net.obj as { spec?: unknown }).spec) === JSON.stringify(body.spec)) return;
  await ctx.gw.patch(KINDS.network.type, net.object, body, { namespace: net.namespace, type: 'merge' });
}

export async function createSubnet(ctx: NetContext, b: Body): Promise<SubnetRec> {
  onlyKeys(b, CREATE_KEYS, 'subnet');
  if (typeof b.network_id !== 'string') throw badRequest("Failed to parse request. Required attribute 'network_id' not specified");
  const net = await ctx.store.find<NetworkAttrs>(KINDS.network, b.network_id);
  if (!net || !canSeeNetwork(ctx, net)) throw networkNotFound(b.network_id);
  if (!isOwner(ctx, net)) throw forbidden403();
  const projectId = targetProject(ctx, b);
  if (b.ip_version === undefined) throw badRequest("Failed to parse request. Required attribute 'ip_version' not specified");
  const version = b.ip_version;
  if (version !== 4 && version !== 6 && version !== '4' && version !== '6') throw badRequest(`Invalid input for ip_version. Reason: ${String(version)} is not in [4, 6].`);
  const ipVersion = Number(version) as 4 | 6;
  let pool: PoolRec | undefined;
  let cidrText = b.cidr;
  let poolClaim: string | undefined;
  if (typeof b.subnetpool_id === 'string') {
    pool = await visiblePool(ctx, b.subnetpool_id);
    if (pool.attrs.ip_version !== ipVersion) throw invalid(`Subnet pool ${pool.id} is of IPv${pool.attrs.ip_version}, the subnet IPv${ipVersion}.`);
    if (cidrText !== undefined && typeof cidrText !== 'string') throw badRequest(`Invalid input for cidr. Reason: '${String(cidrText)}' is not a valid IP subnet.`);
    const prefixlen = b.prefixlen === undefined ? undefined : Number(b.prefixlen);
    if (prefixlen !== undefined && !Number.isInteger(prefixlen)) throw badRequest(`Invalid input for prefixlen. Reason: '${String(b.prefixlen)}' is not an integer.`);
    poolClaim = crypto.randomUUID();
    cidrText = (await allocateFromPool(ctx, pool, poolClaim, cidrText as string | undefined, prefixlen)).cidr;
  }
  try {
    return await createSubnetIn(ctx, b, net, projectId, ipVersion, cidrText, pool, poolClaim);
  } catch (err) {
    if (poolClaim) await releaseAddresses(ctx, poolClaim).catch(() => undefined);
    throw err;
  }
}

async function createSubnetIn(ctx: NetContext, b: Body, net: NetworkRec, projectId: string, ipVersion: 4 | 6, cidrText: unknown, pool: PoolRec | undefined, poolClaim: string | undefined): Promise<SubnetRec> {
  if (typeof cidrText !== 'string') throw badRequest('Bad subnets request: a subnetpool must be specified in the absence of a cidr.');
  const cidr = parseCidr(cidrText);
  if (!cidr || !cidrText.includes('/')) throw badRequest(`Invalid input for cidr. Reason: '${cidrText}' is not a valid IP subnet.`);
  if (cidr.version !== ipVersion) throw invalid(`Cidr ${cidrText} does not match the ip_version ${ipVersion}.`);
  if ((ipVersion === 4 && cidr.prefix > 30) || (ipVersion === 6 && cidr.prefix > 126) || cidr.prefix === 0) {
    throw invalid(`${formatCidr(cidr)} is not a valid prefix length for a subnet.`);
  }
  const ra = b.ipv6_ra_mode ?? null;
  const addr = b.ipv6_address_mode ?? null;
  for (const [k, m] of [['ipv6_ra_mode', ra], ['ipv6_address_mode', addr]] as const) {
    if (m !== null && (typeof m !== 'string' || !IPV6_MODES.includes(m))) throw badRequest(`Invalid input for ${k}. Reason: '${String(m)}' is not in ${JSON.stringify(IPV6_MODES)}.`);
    if (m !== null && ipVersion === 4) throw invalid('ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False or ip_version is 4.');
  }
  if (ra !== null && addr !== null && ra !== addr) throw invalid(`ipv6_ra_mode set to '${ra}' with ipv6_address_mode set to '${addr}' is not valid. If both attributes are set, they must be the same value`);
  const enableDhcp = bool(b, 'enable_dhcp') ?? true;
  if (!enableDhcp && (ra !== null || addr !== null) && ipVersion === 6 && (addr === 'dhcpv6-stateful' || addr === 'dhcpv6-stateless')) {
    throw invalid('ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False.');
  }
  if ((addr === 'slaac' || addr === 'dhcpv6-stateless' || ra === 'slaac' || ra === 'dhcpv6-stateless') && cidr.prefix !== 64) {
    throw invalid(`Invalid CIDR ${formatCidr(cidr)} for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64`);
  }
  const firstHost = formatIp({ version: ipVersion, value: cidr.base + 1n });
  const gateway = gatewayOf(b, cidr, firstHost);
  const allocation = pools(b) ?? defaultPools(cidr, gateway);
  checkGatewayAndPools(cidr, gateway, allocation);
  const dns = checkIpList(strList(b, 'dns_nameservers') ?? [], 'dns_nameservers', ipVersion);
  const routes = hostRoutes(b, ipVersion) ?? [];
  const siblings = await networkSubnets(ctx, net.id);
  for (const s of siblings) {
    const other = parseCidr(s.attrs.cidr);
    if (other && overlaps(cidr, other)) {
      throw invalid(`Requested subnet with cidr: ${formatCidr(cidr)} for network: ${net.id} overlaps with another subnet.`);
    }
  }
  const attrs: SubnetAttrs = {
    name: str(b, 'name') ?? '',
    description: str(b, 'description') ?? '',
    network_id: net.id,
    ip_version: ipVersion,
    cidr: formatCidr(cidr),
    gateway_ip: gateway,
    allocation_pools: allocation,
    host_routes: routes,
    dns_nameservers: dns,
    enable_dhcp: enableDhcp,
    ipv6_ra_mode: ra as string | null,
    ipv6_address_mode: addr as string | null,
    tags: strList(b, 'tags') ?? [],
    subnetpool_id: pool?.id ?? null,
    ...(poolClaim ? { pool_claim: poolClaim } : {}),
  };
  const sub = await ctx.store.create(KINDS.subnet, writer(ctx, projectId), attrs, {
    namespace: net.namespace,
    generateName: 'subnet-',
    projectId,
    labels: { [NL.networkId]: net.id, ...(pool ? { [POOL_LABEL]: pool.id } : {}) },
    ownerReferences: [{ apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', name: net.object, uid: net.id }],
  });
  await syncNad(ctx, net, [...siblings, sub]);
  return sub;
}

const forbidden403 = () => nfault(403, 'PolicyNotAuthorized', 'rule:create_subnet is disallowed by policy');

export async function visibleSubnet(ctx: NetContext, id: string): Promise<{ subnet: SubnetRec; network: NetworkRec | undefined }> {
  const subnet = await ctx.store.find<SubnetAttrs>(KINDS.subnet, id);
  if (!subnet) throw subnetNotFound(id);
  const network = await ctx.store.find<NetworkAttrs>(KINDS.network, subnet.attrs.network_id);
  if (!canSeeSubnet(ctx, subnet, network)) throw subnetNotFound(id);
  return { subnet, network };
}

export async function updateSubnet(ctx: NetContext, id: string, b: Body): Promise<SubnetRec> {
  const { subnet, network } = await visibleSubnet(ctx, id);
  assertOwner(ctx, subnet, 'subnet');
  for (const k of ['cidr', 'ip_version', 'network_id', 'ipv6_ra_mode', 'ipv6_address_mode', 'tenant_id', 'project_id']) {
    if (k in b) throw badRequest(`Cannot update read-only attribute ${k}`);
  }
  onlyKeys(b, UPDATE_KEYS, 'subnet');
  const updated = await ctx.store.update(KINDS.subnet, writer(ctx, subnet.projectId), subnet, (cur) => {
    const a = cur.attrs;
    const cidr = parseCidr(a.cidr) as Cidr;
    const gateway = gatewayOf(b, cidr, a.gateway_ip);
    const allocation = pools(b) ?? a.allocation_pools;
    checkGatewayAndPools(cidr, gateway, allocation);
    const dns = strList(b, 'dns_nameservers');
    return {
      attrs: {
        ...a,
        name: str(b, 'name') ?? a.name,
        description: str(b, 'description') ?? a.description,
        gateway_ip: gateway,
        allocation_pools: allocation,
        host_routes: hostRoutes(b, a.ip_version) ?? a.host_routes,
        dns_nameservers: dns ? checkIpList(dns, 'dns_nameservers', a.ip_version) : a.dns_nameservers,
        enable_dhcp: bool(b, 'enable_dhcp') ?? a.enable_dhcp,
      },
    };
  });
  if (network) await syncNad(ctx, network, (await networkSubnets(ctx, network.id)).map((s) => (s.id === updated.id ? updated : s)));
  return updated;
}

export async function deleteSubnet(ctx: NetContext, id: string): Promise<void> {
  const { subnet, network } = await visibleSubnet(ctx, id);
  assertOwner(ctx, subnet, 'subnet');
  const used = await ctx.store.list<AllocAttrs>(KINDS.ipallocation, `${NL.subnetId}=${subnet.id}`, subnet.namespace);
  const inUse = () => nfault(409, 'SubnetInUse', `Unable to complete operation on subnet ${id}: One or more ports have an IP allocation from this subnet.`);
  if (used.length) {
    // Addresses a port took automatically (SLAAC, DHCPv6 stateless) leave with the subnet,
    // unless a router interface holds one.
    if (!['slaac', 'dhcpv6-stateless'].includes(subnet.attrs.ipv6_address_mode ?? '')) throw inUse();
    const holders = new Set(used.map((a) => a.attrs.port_id));
    const ports = (await ctx.store.list<PortAttrs>(KINDS.port, `${NL.networkId}=${subnet.attrs.network_id}`)).filter((p) => holders.has(p.id));
    if (ports.some((p) => p.attrs.device_owner.startsWith('network:router_interface'))) throw inUse();
    const sys = asSystem(ctx);
    for (const p of ports) {
      await sys.store.update(KINDS.port, sys.gw, p, (cur) => ({ attrs: { ...cur.attrs, fixed_ips: cur.attrs.fixed_ips.filter((f) => f.subnet_id !== subnet.id) } }));
      await releaseAddresses(sys, p.id, (a) => a.attrs.subnet_id !== subnet.id);
    }
  }
  await ctx.store.remove(KINDS.subnet, writer(ctx, subnet.projectId), subnet);
  if (subnet.attrs.pool_claim) await releaseAddresses(ctx, subnet.attrs.pool_claim);
  if (network) await syncNad(ctx, network, (await networkSubnets(ctx, network.id)).filter((s) => s.id !== subnet.id));
}
