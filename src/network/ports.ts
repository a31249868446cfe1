import { badRequest } from '../core/faults.ts';
import { releaseAddresses, allocateAddress, claimAddress } from './allocations.ts';
import { type NetContext, isOwner, nfault, targetProject, writer } from './context.ts';
import { contains, eui64, formatIp, parseCidr, parseIp } from './ip.ts';
import { type NetworkAttrs, type NetworkRec, assertOwner, networkNotFound } from './networks.ts';
import type { View } from './query.ts';
import { ensureDefaultGroup, findGroups } from './security-groups.ts';
import { type Attrs, KINDS, NL, type Rec, standardFields } from './store.ts';
import { type SubnetRec, networkSubnets } from './subnets.ts';
import { type Body, bool, onlyKeys, str, strList } from './validate.ts';

// Ports: Dicot `Port` objects in the owning project's namespace. Addresses are taken with
// IPAllocation objects (allocations.ts) after the port exists, so every allocation names
// its port; a failure deletes what was made, and the caller sees no half-created port.

export interface FixedIp {
  subnet_id: string;
  ip_address: string;
}

export interface PortAttrs extends Attrs {
  name: string;
  description: string;
  network_id: string;
  mac_address: string;
  admin_state_up: boolean;
  fixed_ips: FixedIp[];
  device_id: string;
  device_owner: string;
  security_groups: string[];
  port_security_enabled: boolean;
  allowed_address_pairs: { ip_address: string; mac_address: string }[];
  binding_host_id: string;
  binding_vnic_type: string;
  binding_profile: Record<string, unknown>;
  tags: string[];
  /** Addresses not yet taken (a create in progress); never shown. */
  pending?: boolean;
}

export type PortRec = Rec<PortAttrs>;

export const portNotFound = (id: string) => nfault(404, 'PortNotFound', `Port ${id} could not be found.`);

export function portStatus(a: PortAttrs, active?: boolean): string {
  if (!a.admin_state_up) return 'DOWN';
  if (a.device_owner.startsWith('network:router')) return 'ACTIVE';
  if (a.device_owner.startsWith('compute:')) return active === false ? 'DOWN' : 'ACTIVE';
  return 'DOWN';
}

export function portView(r: PortRec, admin: boolean, active?: boolean): View {
  const a = r.attrs;
  return {
    ...standardFields(r),
    name: a.name ?? '',
    network_id: a.network_id,
    mac_address: a.mac_address,
    admin_state_up: a.admin_state_up ?? true,
    status: portStatus(a, active),
    device_id: a.device_id ?? '',
    device_owner: a.device_owner ?? '',
    fixed_ips: a.fixed_ips ?? [],
    allowed_address_pairs: a.allowed_address_pairs ?? [],
    security_groups: a.security_groups ?? [],
    port_security_enabled: a.port_security_enabled ?? true,
    'binding:vnic_type': a.binding_vnic_type || 'normal',
    ...(admin
      ? {
          'binding:host_id': a.binding_host_id ?? '',
          'binding:profile': a.binding_profile ?? {},
          'binding:vif_type': a.device_owner ? 'other' : 'unbound',
          'binding:vif_details': {},
        }
      : {}),
  };
}

// Router gateway ports belong to no tenant in Neutron: only admins see them.
export const canSeePort = (ctx: NetContext, p: PortRec) => isOwner(ctx, p) && !p.attrs.pending && (ctx.caller.isAdmin || p.attrs.device_owner !== 'network:router_gateway');

export const randomMac = () => {
  const b = crypto.getRandomValues(new Uint8Array(3));
  return ['fa', '16', '3e', ...[...b].map((x) => x.toString(16).padStart(2, '0'))].join(':');
};

const MAC_RE = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

interface IpRequest {
  subnet_id?: string;
  ip_address?: string;
}

function ipRequests(b: Body): IpRequest[] | undefined {
  const v = b.fixed_ips;
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw badRequest(`Invalid input for fixed_ips. Reason: Invalid data format for fixed IP: '${JSON.stringify(v)}'.`);
  return v.map((x: unknown) => {
    const o = x as Record<string, unknown>;
    if (!o || typeof o !== 'object' || Object.keys(o).some((k) => k !== 'subnet_id' && k !== 'ip_address')) {
      throw badRequest(`Invalid input for fixed_ips. Reason: Invalid data format for fixed IP: '${JSON.stringify(x)}'.`);
    }
    if (o.ip_address !== undefined && (typeof o.ip_address !== 'string' || !parseIp(o.ip_address))) {
      throw badRequest(`Invalid input for fixed_ips. Reason: '${String(o.ip_address)}' is not a valid IP address.`);
    }
    return { ...(o.subnet_id !== undefined ? { subnet_id: String(o.subnet_id) } : {}), ...(o.ip_address !== undefined ? { ip_address: String(o.ip_address) } : {}) };
  });
}

const slaac = (s: SubnetRec) => s.attrs.ip_version === 6 && (s.attrs.ipv6_address_mode === 'slaac' || s.attrs.ipv6_address_mode === 'dhcpv6-stateless');

/** Which subnet (and maybe address) each requested fixed IP means; checked before anything is written. */
function resolveRequests(reqs: IpRequest[], subnets: SubnetRec[], network: NetworkRec): { subnet: SubnetRec; ip?: string }[] {
  return reqs.map((r) => {
    let subnet: SubnetRec | undefined;
    if (r.subnet_id !== undefined) {
      subnet = subnets.find((s) => s.id === r.subnet_id);
      if (!subnet) throw nfault(400, 'InvalidInput', `Invalid input for operation: Failed to create port on network ${network.id}, because fixed_ips included invalid subnet ${r.subnet_id}.`);
    }
    if (r.ip_address !== undefined) {
      const ip = parseIp(r.ip_address)!;
      if (subnet) {
        const cidr = parseCidr(subnet.attrs.cidr);
        if (!cidr || !contains(cidr, ip)) throw nfault(400, 'InvalidIpForSubnet', `IP address ${r.ip_address} is not a valid IP for the specified subnet.`);
      } else {
        subnet = subnets.find((s) => {
          const c = parseCidr(s.attrs.cidr);
          return c && contains(c, ip);
        });
        if (!subnet) throw nfault(400, 'InvalidIpForNetwork', `IP address ${r.ip_address} is not a valid IP for any of the subnets on the specified network.`);
      }
      if (slaac(subnet) && subnet.attrs.ipv6_ra_mode !== null && subnet.attrs.ipv6_address_mode === 'slaac') {
        throw nfault(400, 'InvalidInput', `Invalid input for operation: IPv6 address ${r.ip_address} cannot be directly assigned to a port on subnet ${subnet.id} since the subnet is configured for automatic addresses.`);
      }
      return { subnet, ip: formatIp(ip) };
    }
    return { subnet: subnet as SubnetRec };
  });
}

/** Default addresses: one IPv4 subnet, one stateful IPv6 subnet, every SLAAC subnet. */
function defaultRequests(subnets: SubnetRec[]): { subnet: SubnetRec }[] {
  const out: { subnet: SubnetRec }[] = [];
  const v4 = subnets.find((s) => s.attrs.ip_version === 4);
  if (v4) out.push({ subnet: v4 });
  const v6 = subnets.find((s) => s.attrs.ip_version === 6 && !slaac(s));
  if (v6) out.push({ subnet: v6 });
  for (const s of subnets.filter(slaac)) out.push({ subnet: s });
  return out;
}

async function takeAddresses(ctx: NetContext, port: PortRec, wants: { subnet: SubnetRec; ip?: string }[]): Promise<FixedIp[]> {
  const out: FixedIp[] = [];
  for (const w of wants) {
    let address: string;
    if (w.ip) address = await claimAddress(ctx, w.subnet, w.ip, port.id);
    else if (slaac(w.subnet)) address = await claimAddress(ctx, w.subnet, eui64(parseCidr(w.subnet.attrs.cidr)!, port.attrs.mac_address), port.id);
    else address = await allocateAddress(ctx, w.subnet, port.id);
    out.push({ subnet_id: w.subnet.id, ip_address: address });
  }
  return out;
}

const CREATE_KEYS = ['name', 'description', 'network_id', 'mac_address', 'admin_state_up', 'fixed_ips', 'device_id', 'device_owner', 'security_groups', 'port_security_enabled', 'allowed_address_pairs', 'binding:host_id', 'binding:vnic_type', 'binding:profile', 'tenant_id', 'project_id', 'tags', 'extra_dhcp_opts', 'dns_name'];
const UPDATE_KEYS = ['name', 'description', 'mac_address', 'admin_state_up', 'fixed_ips', 'device_id', 'device_owner', 'security_groups', 'port_security_enabled', 'allowed_address_pairs', 'binding:host_id', 'binding:vnic_type', 'binding:profile', 'extra_dhcp_opts', 'dns_name'];

function addressPairs(b: Body): PortAttrs['allowed_address_pairs'] | undefined {
  const v = b.allowed_address_pairs;
  if (v === undefined) return undefined;
  if (v === null) return [];
  if (!Array.isArray(v)) throw badRequest('Invalid input for allowed_address_pairs. Reason: not a list.');
  return v.map((p: Record<string, unknown>) => {
    if (!p || typeof p.ip_address !== 'string' || !parseCidr(p.ip_address)) throw badRequest(`Invalid input for allowed_address_pairs. Reason: '${JSON.stringify(p)}' is not a valid IP address pair.`);
    return { ip_address: p.ip_address, mac_address: typeof p.mac_address === 'string' ? p.mac_address : '' };
  });
}

async function checkGroups(ctx: NetContext, projectId: string, ids: string[]): Promise<void> {
  if (!ids.length) return;
  const groups = await findGroups(ctx);
  for (const id of ids) {
    const g = groups.find((x) => x.id === id);
    if (!g || (g.projectId !== projectId && !ctx.caller.isAdmin)) throw nfault(404, 'SecurityGroupNotFound', `Security group ${id} does not exist`);
  }
}

export interface PortOptions {
  /** The network record when the caller already has it. */
  network?: NetworkRec;
}

export async function createPort(ctx: NetContext, b: Body, opts: PortOptions = {}): Promise<PortRec> {
  onlyKeys(b, CREATE_KEYS, 'port');
  if (typeof b.network_id !== 'string') throw badRequest("Failed to parse request. Required attribute 'network_id' not specified");
  const network = opts.network ?? (await ctx.store.find<NetworkAttrs>(KINDS.network, b.network_id));
  if (!network || !(isOwner(ctx, network) || network.attrs.shared || (network.attrs.external && b.device_owner === undefined))) throw networkNotFound(b.network_id);
  if (network.attrs.external && !network.attrs.shared && !isOwner(ctx, network) && !ctx.caller.isAdmin) throw networkNotFound(b.network_id);
  const projectId = targetProject(ctx, b);
  const mac = str(b, 'mac_address');
  if (mac !== undefined && !MAC_RE.test(mac)) throw badRequest(`Invalid input for mac_address. Reason: '${mac}' is not a valid MAC address.`);
  const portSecurity = bool(b, 'port_security_enabled') ?? network.attrs.port_security_enabled ?? true;
  let groups = strList(b, 'security_groups');
  if (groups?.length && !portSecurity) throw nfault(400, 'PortSecurityAndIPRequiredForSecurityGroups', 'Port security must be enabled and port must have an IP address in order to use security groups.');
  const deviceOwner = str(b, 'device_owner') ?? '';
  const subnets = await networkSubnets(ctx, network.id);
  const reqs = ipRequests(b);
  const wants = reqs ? resolveRequests(reqs, subnets, network) : defaultRequests(subnets);
  if (mac) {
    const same = await ctx.store.list<PortAttrs>(KINDS.port, `${NL.networkId}=${network.id}`);
    if (same.some((p) => p.attrs.mac_address.toLowerCase() === mac.toLowerCase())) throw nfault(409, 'MacAddressInUse', `Unable to complete operation for network ${network.id}. The mac address ${mac} is in use.`);
  }
  if (groups === undefined) groups = portSecurity && !deviceOwner.startsWith('network:') ? [await ensureDefaultGroup(ctx, projectId)] : [];
  else await checkGroups(ctx, projectId, groups);
  const namespace = await ctx.namespaceOf(projectId);
  const attrs: PortAttrs = {
    name: str(b, 'name') ?? '',
    description: str(b, 'description') ?? '',
    network_id: network.id,
    mac_address: (mac ?? randomMac()).toLowerCase(),
    admin_state_up: bool(b, 'admin_state_up') ?? true,
    fixed_ips: [],
    device_id: str(b, 'device_id') ?? '',
    device_owner: deviceOwner,
    security_groups: groups,
    port_security_enabled: portSecurity,
    allowed_address_pairs: addressPairs(b) ?? [],
    binding_host_id: str(b, 'binding:host_id') ?? '',
    binding_vnic_type: str(b, 'binding:vnic_type') ?? 'normal',
    binding_profile: (b['binding:profile'] as Record<string, unknown> | undefined) ?? {},
    tags: strList(b, 'tags') ?? [],
    pending: true,
  };
  const client = writer(ctx, projectId);
  const port = await ctx.store.create(KINDS.port, client, attrs, {
    namespace,
    generateName: 'port-',
    projectId,
    labels: { [NL.networkId]: network.id, ...(attrs.device_id ? { [NL.deviceId]: labelSafe(attrs.device_id) } : {}) },
  });
  try {
    const fixed = await takeAddresses(ctx, port, wants);
    return await ctx.store.update(KINDS.port, client, port, (cur) => {
      const { pending: _p, ...rest } = cur.attrs;
      return { attrs: { ...rest, fixed_ips: fixed } as PortAttrs };
    });
  } catch (err) {
    await releaseAddresses(ctx, port.id).catch(() => {});
    await ctx.store.remove(KINDS.port, ctx.gw, port).catch(() => {});
    throw err;
  }
}

/** Device ids are free text in Neutron; a label value must be ≤63 safe characters. */
export const labelSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');

export async function visiblePort(ctx: NetContext, id: string): Promise<PortRec> {
  const p = await ctx.store.find<PortAttrs>(KINDS.port, id);
  if (!p || !canSeePort(ctx, p)) throw portNotFound(id);
  return p;
}

export async function updatePort(ctx: NetContext, id: string, b: Body): Promise<PortRec> {
  const port = await visiblePort(ctx, id);
  assertOwner(ctx, port, 'port');
  if ('network_id' in b) throw badRequest('Cannot update read-only attribute network_id');
  onlyKeys(b, UPDATE_KEYS, 'port');
  const mac = str(b, 'mac_address');
  if (mac !== undefined && !ctx.caller.isAdmin) throw nfault(403, 'PolicyNotAuthorized', '(rule:update_port:mac_address) is disallowed by policy');
  const groups = strList(b, 'security_groups');
  if (groups) await checkGroups(ctx, port.projectId, groups);
  const portSecurity = bool(b, 'port_security_enabled');
  const reqs = ipRequests(b);
  let fixed = port.attrs.fixed_ips;
  if (reqs) {
    const subnets = await networkSubnets(ctx, port.attrs.network_id);
    const network = { id: port.attrs.network_id } as NetworkRec;
    const keepers = reqs.filter((r) => r.ip_address && port.attrs.fixed_ips.some((f) => f.ip_address === formatIp(parseIp(r.ip_address as string)!) && (!r.subnet_id || r.subnet_id === f.subnet_id)));
    const kept = port.attrs.fixed_ips.filter((f) => keepers.some((k) => formatIp(parseIp(k.ip_address as string)!) === f.ip_address));
    const fresh = resolveRequests(reqs.filter((r) => !keepers.includes(r)), subnets, network);
    const added = await takeAddresses(ctx, port, fresh);
    fixed = [...kept, ...added];
    await releaseAddresses(ctx, port.id, (a) => fixed.some((f) => f.subnet_id === a.attrs.subnet_id && f.ip_address === a.attrs.address));
  }
  return ctx.store.update(KINDS.port, writer(ctx, port.projectId), port, (cur) => {
    const a = cur.attrs;
    const security = portSecurity ?? a.port_security_enabled;
    const sgs = groups ?? (portSecurity === false ? [] : a.security_groups);
    if (!security && sgs.length) throw nfault(409, 'PortSecurityPortHasSecurityGroup', 'Port has security group associated. Cannot disable port security or ip address until security group is removed');
    const deviceId = str(b, 'device_id') ?? a.device_id;
    return {
      attrs: {
        ...a,
        name: str(b, 'name') ?? a.name,
        description: str(b, 'description') ?? a.description,
        mac_address: mac?.toLowerCase() ?? a.mac_address,
        admin_state_up: bool(b, 'admin_state_up') ?? a.admin_state_up,
        fixed_ips: fixed,
        device_id: deviceId,
        device_owner: str(b, 'device_owner') ?? a.device_owner,
        security_groups: sgs,
        port_security_enabled: security,
        allowed_address_pairs: addressPairs(b) ?? a.allowed_address_pairs,
        binding_host_id: str(b, 'binding:host_id') ?? a.binding_host_id,
        binding_vnic_type: str(b, 'binding:vnic_type') ?? a.binding_vnic_type,
        binding_profile: (b['binding:profile'] as Record<string, unknown> | undefined) ?? a.binding_profile,
      },
      labels: { [NL.deviceId]: labelSafe(deviceId) },
    };
  });
}

/** Deletes a port and releases its addresses (and detaches floating IPs: floating-ips.ts). */
export async function removePort(ctx: NetContext, port: PortRec): Promise<void> {
  await ctx.store.remove(KINDS.port, writer(ctx, port.projectId), port);
  await releaseAddresses(ctx, port.id);
}
