import { badRequest, conflict, notFound } from '../core/faults.ts';
import { NotFoundError, R } from '../kube/index.ts';
import { type NetContext, asSystem, isOwner } from './context.ts';
import { type FipAttrs, detachFromPort, portLabel } from './floating-ips.ts';
import { parseIp } from './ip.ts';
import { type NetworkAttrs, type NetworkRec, canSeeNetwork } from './networks.ts';
import { type PortAttrs, type PortRec, createPort, labelSafe, removePort } from './ports.ts';
import { type GroupAttrs, groupLabel } from './security-groups.ts';
import { KINDS, NL } from './store.ts';

// Servers on networks: Nova's `networks` request resolved against the network service,
// the ports a server gets (made by Nova, or the caller's own), the VM's interfaces for them
// (the pod network, or a Multus network by NAD), and releasing them when the server goes.

/** On every port bound to a server; `nova` when the server's create made it. */
export const SERVER_PORT = 'openstack.dicot.io/server-port';

export interface NetworkRequest {
  uuid?: string | undefined;
  port?: string | null | undefined;
  fixed_ip?: string | undefined;
}

export interface Attachment {
  network: NetworkRec;
  port?: PortRec;
  fixedIp?: string;
}

export interface Plan {
  /** The pod interface (the shared pod network, or Nova's default). */
  pod: boolean;
  /** Tenant networks and ports, in request order. */
  attachments: Attachment[];
}

const nfound = (what: string) => badRequest(what);

/** Checks every requested network and port before anything is written (Nova's 400/409). */
export async function planNetworks(ctx: NetContext, reqs: NetworkRequest[]): Promise<Plan> {
  const [networks, ports] = await Promise.all([ctx.store.list<NetworkAttrs>(KINDS.network), reqs.some((r) => r.port) ? ctx.store.list<PortAttrs>(KINDS.port) : Promise.resolve([])]);
  const plan: Plan = { pod: false, attachments: [] };
  for (const r of reqs) {
    if (r.port) {
      const port = ports.find((p) => p.id === r.port);
      if (!port || !isOwner(ctx, port)) throw nfound(`Port ${r.port} could not be found.`);
      if (port.attrs.device_id) throw conflict(`Port ${r.port} is still in use.`);
      const network = networks.find((n) => n.id === port.attrs.network_id);
      if (!network) throw nfound(`Network ${port.attrs.network_id} could not be found.`);
      if (network.attrs.infra === 'pod') throw badRequest(`Port ${r.port} is on the cluster pod network; request the network instead.`);
      plan.attachments.push({ network, port });
      continue;
    }
    const network = networks.find((n) => n.id === r.uuid);
    if (!network || !canSeeNetwork(ctx, network)) throw nfound(`Network ${r.uuid} could not be found.`);
    if (network.attrs.external && !network.attrs.shared && !isOwner(ctx, network)) throw badRequest(`Network ${r.uuid} is external; servers cannot attach to it.`);
    if (network.attrs.infra === 'pod') {
      if (r.fixed_ip) throw badRequest('A fixed IP cannot be chosen on the cluster pod network.');
      if (plan.pod) throw badRequest(`Network ${r.uuid} is duplicated.`);
      plan.pod = true;
      continue;
    }
    if (r.fixed_ip !== undefined && !parseIp(r.fixed_ip)) throw badRequest(`Invalid fixed IP address (${r.fixed_ip})`);
    plan.attachments.push({ network, ...(r.fixed_ip ? { fixedIp: r.fixed_ip } : {}) });
  }
  return plan;
}

/** Security group ids for Nova's names (or ids) in the caller's project (400 for an unknown one). */
export async function groupsByName(ctx: NetContext, namespace: string, names: string[]): Promise<{ id: string; object: string }[]> {
  if (!names.length) return [];
  const groups = await ctx.store.list<GroupAttrs>(KINDS.security_group, undefined, namespace);
  return names.map((n) => {
    const g = groups.filter((x) => x.id === n || x.attrs.name === n);
    if (!g.length) throw badRequest(`Security group ${n} not found for project ${ctx.caller.projectId}.`);
    if (g.length > 1) throw conflict(`Multiple security groups found matching '${n}'. Use an ID to be more specific.`);
    return { id: (g[0] as { id: string }).id, object: (g[0] as { object: string }).object };
  });
}

/** Ports for a plan: Nova makes one per requested network; requested ports are taken as they are. */
export async function makePorts(ctx: NetContext, plan: Plan, projectId: string, groupIds: string[]): Promise<{ ports: PortRec[]; made: PortRec[] }> {
  const ports: PortRec[] = [];
  const made: PortRec[] = [];
  try {
    for (const a of plan.attachments) {
      if (a.port) {
        ports.push(a.port);
        continue;
      }
      const port = await createPort(
        ctx,
        {
          network_id: a.network.id,
          project_id: projectId,
          device_owner: 'compute:nova',
          ...(a.fixedIp ? { fixed_ips: [{ ip_address: a.fixedIp }] } : {}),
          ...(a.network.attrs.port_security_enabled === false ? {} : { security_groups: groupIds }),
        },
        { network: a.network },
      );
      made.push(port);
      ports.push(port);
    }
  } catch (err) {
    await Promise.all(made.map((p) => removePort(ctx, p).catch(() => undefined)));
    throw err;
  }
  return { ports, made };
}

/** Records the server on its ports (device id, owner, the label the Service of a floating IP selects). */
export async function bindPorts(ctx: NetContext, ports: PortRec[], made: PortRec[], serverId: string): Promise<void> {
  const sys = asSystem(ctx);
  await Promise.all(
    ports.map((p) =>
      sys.store.update(KINDS.port, sys.gw, p, (cur) => ({
        attrs: { ...cur.attrs, device_id: serverId, device_owner: 'compute:nova' },
        labels: { [NL.deviceId]: labelSafe(serverId), [SERVER_PORT]: made.some((m) => m.id === p.id) ? 'nova' : 'user' },
      })),
    ),
  );
}

export interface VmNetworking {
  interfaces: Record<string, unknown>[];
  networks: Record<string, unknown>[];
  labels: Record<string, string>;
}

/** Pure: the VM's Multus interfaces for its ports, and the template labels (ports, groups). */
export function vmNetworking(ports: PortRec[], networks: Map<string, NetworkRec>, groups: { object: string }[]): VmNetworking {
  const out: VmNetworking = { interfaces: [], networks: [], labels: {} };
  ports.forEach((p, i) => {
    const net = networks.get(p.attrs.network_id);
    const name = `net${i + 1}`;
    out.interfaces.push({ name, bridge: {}, macAddress: p.attrs.mac_address });
    out.networks.push({ name, multus: { networkName: `${net?.namespace ?? p.namespace}/${net?.object ?? ''}` } });
    out.labels[portLabel(p.id)] = 'true';
  });
  for (const g of groups) out.labels[groupLabel(g)] = 'true';
  return out;
}

/** Deletes the ports the server's create made, unbinds the caller's own, detaches floating IPs. */
export async function releaseServerPorts(ctx: NetContext, serverId: string): Promise<void> {
  const sys = asSystem(ctx);
  const ports = await sys.store.list<PortAttrs>(KINDS.port, `${NL.deviceId}=${labelSafe(serverId)}`);
  for (const p of ports.filter((x) => x.attrs.device_id === serverId)) await releasePort(ctx, p, p.obj.metadata.labels?.[SERVER_PORT] === 'nova');
}

/** One port leaves its server: deleted when Nova made it, otherwise unbound; floating IPs detached. */
export async function releasePort(ctx: NetContext, p: PortRec, made: boolean): Promise<void> {
  const sys = asSystem(ctx);
  await detachFromPort(sys, p.id);
  try {
    if (made) await removePort(sys, p);
    else {
      await sys.store.update(KINDS.port, sys.gw, p, (cur) => ({
        attrs: { ...cur.attrs, device_id: '', device_owner: '' },
        labels: { [NL.deviceId]: '', [SERVER_PORT]: '' },
      }));
    }
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}

export interface PortAddress {
  addr: string;
  version: 4 | 6;
  mac: string;
  type: 'fixed' | 'floating';
}

/** Server id → addresses by network name, from the ports bound to servers (one LIST each of ports and networks). */
export async function serverAddresses(ctx: NetContext): Promise<Map<string, Record<string, PortAddress[]>>> {
  const out = new Map<string, Record<string, PortAddress[]>>();
  const ports = await ctx.store.list<PortAttrs>(KINDS.port, `${SERVER_PORT} in (nova,user)`);
  if (!ports.length) return out;
  const [networks, fips] = await Promise.all([ctx.store.list<NetworkAttrs>(KINDS.network), ctx.store.list<FipAttrs>(KINDS.floatingip)]);
  const nets = new Map(networks.map((n) => [n.id, n]));
  const version = (ip: string) => (ip.includes(':') ? 6 : 4) as 4 | 6;
  for (const p of ports) {
    if (!p.attrs.device_id) continue;
    const name = nets.get(p.attrs.network_id)?.attrs.name || p.attrs.network_id;
    const byNet = out.get(p.attrs.device_id) ?? {};
    const fixed = p.attrs.fixed_ips.map((f) => ({ addr: f.ip_address, version: version(f.ip_address), mac: p.attrs.mac_address, type: 'fixed' as const }));
    // Nova lists a floating IP after the fixed address it maps to, on the same network.
    const floating = fips.filter((f) => f.attrs.port_id === p.id).map((f) => ({ addr: f.attrs.floating_ip_address, version: version(f.attrs.floating_ip_address), mac: p.attrs.mac_address, type: 'floating' as const }));
    byNet[name] = [...(byNet[name] ?? []), ...fixed, ...floating];
    out.set(p.attrs.device_id, byNet);
  }
  return out;
}

/**
 * addSecurityGroup/removeSecurityGroup: the group (by name or id, 404 when unknown) joins or
 * leaves the server's ports; the VM template label that its NetworkPolicy selects follows
 * (the running VM's pod keeps its labels until the VM restarts). Returns the group's name.
 */
export async function changeServerGroup(ctx: NetContext, server: { id: string; namespace: string; object: string }, nameOrId: string, add: boolean): Promise<string> {
  const groups = (await ctx.store.list<GroupAttrs>(KINDS.security_group, undefined, server.namespace)).filter((g) => g.id === nameOrId || g.attrs.name === nameOrId);
  if (!groups.length) throw notFound(`Security group ${nameOrId} not found for project ${ctx.caller.projectId}.`);
  if (groups.length > 1) throw conflict(`Multiple security groups found matching '${nameOrId}'. Use an ID to be more specific.`);
  const g = groups[0] as (typeof groups)[number];
  const sys = asSystem(ctx);
  const ports = (await sys.store.list<PortAttrs>(KINDS.port, `${NL.deviceId}=${labelSafe(server.id)}`)).filter((p) => p.attrs.device_id === server.id && p.attrs.port_security_enabled !== false);
  await Promise.all(
    ports.map((p) =>
      sys.store.update(KINDS.port, sys.gw, p, (cur) => ({
        attrs: { ...cur.attrs, security_groups: add ? [...new Set([...cur.attrs.security_groups, g.id])] : cur.attrs.security_groups.filter((x) => x !== g.id) },
      })),
    ),
  );
  const patch = { spec: { template: { metadata: { labels: { [groupLabel(g)]: add ? 'true' : null } } } } };
  await ctx.user.patch(R.virtualMachines, server.object, patch, { namespace: server.namespace, type: 'merge' });
  return g.attrs.name;
}
