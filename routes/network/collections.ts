import { SERVER_SELECTOR } from '../../src/compute/server-store.ts';
import { badRequest } from '../../src/core/faults.ts';
import { R } from '../../src/kube/index.ts';
import { type NetContext, isOwner, nfault } from '../../src/network/context.ts';
import { type FipAttrs, createFloatingIp, detachFromPort, fipView, routerHasFloatingIps, releaseNetworkFloatingIps, updateFloatingIp, visibleFip, deleteFloatingIp } from '../../src/network/floating-ips.ts';
import { type NetworkAttrs, type NetworkRec, assertOwner, canSeeNetwork, createNetwork, networkAttrs, networkView, visibleNetwork } from '../../src/network/networks.ts';
import { type PortAttrs, type PortRec, canSeePort, createPort, portView, removePort, updatePort, visiblePort } from '../../src/network/ports.ts';
import type { View } from '../../src/network/query.ts';
import { type RouterAttrs, createRouter, deleteRouter, routerView, updateRouter, visibleRouter } from '../../src/network/routers.ts';
import { type GroupAttrs, createGroup, createRule, deleteGroup, ensureDefaultGroup, deleteRule, findRule, groupView, ruleView, updateGroup, visibleGroup } from '../../src/network/security-groups.ts';
import { groupUsedByServers } from '../../src/network/server-use.ts';
import { KINDS, NL, type Rec } from '../../src/network/store.ts';
import { type PoolAttrs, canSeePool, createPool, deletePool, poolView, updatePool, visiblePool } from '../../src/network/subnet-pools.ts';
import { releaseAddresses } from '../../src/network/allocations.ts';
import { type SubnetAttrs, canSeeSubnet, createSubnet, deleteSubnet, subnetView, updateSubnet, visibleSubnet } from '../../src/network/subnets.ts';
import type { Body } from '../../src/network/validate.ts';

// Each Neutron collection as a table row: how to list its views, show, create, update and
// delete one, and where its tags live. routes.ts turns the table into HTTP routes.

export interface Collection {
  singular: string;
  plural: string;
  /** Every view the caller may see (before query filters). */
  list(ctx: NetContext): Promise<View[]>;
  show(ctx: NetContext, id: string): Promise<View>;
  create?(ctx: NetContext, b: Body): Promise<View>;
  update?(ctx: NetContext, id: string, b: Body): Promise<View>;
  remove?(ctx: NetContext, id: string): Promise<void>;
  /** The record holding the tags (owner-checked), for the tag routes. */
  tagged?(ctx: NetContext, id: string): Promise<{ rec: Rec; kind: (typeof KINDS)[keyof typeof KINDS] }>;
  /** Allows bulk create (`{"<plural>": [...]}`). */
  bulk?: boolean;
}

async function networkViews(ctx: NetContext, nets: NetworkRec[]): Promise<View[]> {
  const subnets = nets.length ? await ctx.store.list<SubnetAttrs>(KINDS.subnet) : [];
  return nets.map((n) => networkView(n, subnets.filter((s) => s.attrs.network_id === n.id).map((s) => s.id)));
}

const networks: Collection = {
  singular: 'network',
  plural: 'networks',
  bulk: true,
  async list(ctx) {
    const nets = (await ctx.store.list<NetworkAttrs>(KINDS.network)).filter((n) => canSeeNetwork(ctx, n));
    return networkViews(ctx, nets);
  },
  async show(ctx, id) {
    return (await networkViews(ctx, [await visibleNetwork(ctx, id)]))[0] as View;
  },
  async create(ctx, b) {
    return networkView(await createNetwork(ctx, b), []);
  },
  async update(ctx, id, b) {
    const net = await visibleNetwork(ctx, id);
    assertOwner(ctx, net, 'network');
    if (net.attrs.infra && !ctx.caller.isAdmin) throw nfault(403, 'PolicyNotAuthorized', 'rule:update_network is disallowed by policy');
    const updated = await ctx.store.update(KINDS.network, net.projectId ? ctx.user : ctx.gw, net, (cur) => ({ attrs: networkAttrs(ctx, b, cur.attrs) }));
    return (await networkViews(ctx, [updated]))[0] as View;
  },
  async remove(ctx, id) {
    const net = await visibleNetwork(ctx, id);
    assertOwner(ctx, net, 'network');
    if (net.attrs.infra) throw nfault(409, 'NetworkInUse', `Unable to complete operation on network ${id}. The network is provided by the cluster.`);
    const ports = await ctx.store.list<PortAttrs>(KINDS.port, `${NL.networkId}=${net.id}`);
    if (ports.length) throw nfault(409, 'NetworkInUse', `Unable to complete operation on network ${id}. There are one or more ports still in use on the network.`);
    if (net.attrs.external) await releaseNetworkFloatingIps(ctx, net.id);
    const client = net.projectId === ctx.caller.projectId || ctx.caller.isAdmin ? ctx.user : ctx.gw;
    // Subnets would go with the NAD (owner references); they are removed now so a read right after sees none.
    const subnets = await ctx.store.list<SubnetAttrs>(KINDS.subnet, `${NL.networkId}=${net.id}`, net.namespace);
    await Promise.all(subnets.map((s) => ctx.store.remove(KINDS.subnet, client, s)));
    await Promise.all(subnets.map((s) => (s.attrs.pool_claim ? releaseAddresses(ctx, s.attrs.pool_claim) : undefined)));
    await ctx.store.remove(KINDS.network, client, net);
  },
  async tagged(ctx, id) {
    const rec = await visibleNetwork(ctx, id);
    assertOwner(ctx, rec, 'network');
    return { rec, kind: KINDS.network };
  },
};

const subnets: Collection = {
  singular: 'subnet',
  plural: 'subnets',
  bulk: true,
  async list(ctx) {
    const [subs, nets] = await Promise.all([ctx.store.list<SubnetAttrs>(KINDS.subnet), ctx.store.list<NetworkAttrs>(KINDS.network)]);
    const byId = new Map(nets.map((n) => [n.id, n]));
    return subs.filter((s) => canSeeSubnet(ctx, s, byId.get(s.attrs.network_id))).map(subnetView);
  },
  async show(ctx, id) {
    return subnetView((await visibleSubnet(ctx, id)).subnet);
  },
  create: async (ctx, b) => subnetView(await createSubnet(ctx, b)),
  update: async (ctx, id, b) => subnetView(await updateSubnet(ctx, id, b)),
  remove: (ctx, id) => deleteSubnet(ctx, id),
  async tagged(ctx, id) {
    const rec = (await visibleSubnet(ctx, id)).subnet;
    assertOwner(ctx, rec, 'subnet');
    return { rec, kind: KINDS.subnet };
  },
};

/** Ids of servers whose VMI runs, when some port belongs to a server (one LIST of VMIs). */
async function runningServers(ctx: NetContext, ports: PortRec[]): Promise<Set<string>> {
  if (!ports.some((p) => p.attrs.device_owner.startsWith('compute:'))) return new Set();
  const vmis = await ctx.gw.listAll<{ metadata: { ownerReferences?: { uid: string }[] }; status?: { phase?: string } }>(R.virtualMachineInstances, { labelSelector: SERVER_SELECTOR });
  return new Set(vmis.items.filter((i) => i.status?.phase === 'Running').flatMap((i) => (i.metadata.ownerReferences ?? []).map((o) => o.uid)));
}

const ports: Collection = {
  singular: 'port',
  plural: 'ports',
  bulk: true,
  async list(ctx) {
    const all = (await ctx.store.list<PortAttrs>(KINDS.port)).filter((p) => canSeePort(ctx, p));
    const running = await runningServers(ctx, all);
    return all.map((p) => portView(p, ctx.caller.isAdmin, running.has(p.attrs.device_id)));
  },
  async show(ctx, id) {
    const p = await visiblePort(ctx, id);
    return portView(p, ctx.caller.isAdmin, (await runningServers(ctx, [p])).has(p.attrs.device_id));
  },
  create: async (ctx, b) => portView(await createPort(ctx, b), ctx.caller.isAdmin),
  update: async (ctx, id, b) => portView(await updatePort(ctx, id, b), ctx.caller.isAdmin),
  async remove(ctx, id) {
    const port: PortRec = await visiblePort(ctx, id);
    if (!isOwner(ctx, port)) throw nfault(403, 'PolicyNotAuthorized', 'rule:delete_port is disallowed by policy');
    if (port.attrs.device_owner === 'network:router_interface' || port.attrs.device_owner === 'network:router_gateway') {
      throw nfault(409, 'PortInUse', `Port ${id} cannot be deleted directly via the port API: has device owner ${port.attrs.device_owner}.`);
    }
    await detachFromPort(ctx, port.id);
    await removePort(ctx, port);
  },
  async tagged(ctx, id) {
    return { rec: await visiblePort(ctx, id), kind: KINDS.port };
  },
};

const securityGroups: Collection = {
  singular: 'security_group',
  plural: 'security_groups',
  async list(ctx) {
    if (ctx.caller.projectId) {
      await ensureDefaultGroup(ctx, ctx.caller.projectId);
    }
    const all = await ctx.store.list<GroupAttrs>(KINDS.security_group);
    return all.filter((g) => isOwner(ctx, g)).map(groupView);
  },
  show: async (ctx, id) => groupView(await visibleGroup(ctx, id)),
  create: async (ctx, b) => groupView(await createGroup(ctx, b)),
  update: async (ctx, id, b) => groupView(await updateGroup(ctx, id, b)),
  remove: (ctx, id) =>
    deleteGroup(ctx, id, async (gid) => {
      if ((await ctx.store.list<PortAttrs>(KINDS.port)).some((p) => p.attrs.security_groups?.includes(gid))) return true;
      return groupUsedByServers(ctx, await visibleGroup(ctx, gid));
    }),
  async tagged(ctx, id) {
    return { rec: await visibleGroup(ctx, id), kind: KINDS.security_group };
  },
};

const rules: Collection = {
  singular: 'security_group_rule',
  plural: 'security_group_rules',
  async list(ctx) {
    const all = await ctx.store.list<GroupAttrs>(KINDS.security_group);
    return all.filter((g) => isOwner(ctx, g)).flatMap((g) => (g.attrs.rules ?? []).map((r) => ruleView(g, r)));
  },
  async show(ctx, id) {
    const { group, rule } = await findRule(ctx, id);
    return ruleView(group, rule);
  },
  async create(ctx, b) {
    const { group, rule } = await createRule(ctx, b);
    return ruleView(group, rule);
  },
  remove: (ctx, id) => deleteRule(ctx, id),
};

const routers: Collection = {
  singular: 'router',
  plural: 'routers',
  async list(ctx) {
    return (await ctx.store.list<RouterAttrs>(KINDS.router)).filter((r) => isOwner(ctx, r)).map(routerView);
  },
  show: async (ctx, id) => routerView(await visibleRouter(ctx, id)),
  create: async (ctx, b) => routerView(await createRouter(ctx, b)),
  update: async (ctx, id, b) => routerView(await updateRouter(ctx, id, b)),
  remove: (ctx, id) => deleteRouter(ctx, id, (rid) => routerHasFloatingIps(ctx, rid)),
  async tagged(ctx, id) {
    return { rec: await visibleRouter(ctx, id), kind: KINDS.router };
  },
};

async function fipViews(ctx: NetContext, fips: Rec<FipAttrs>[]): Promise<View[]> {
  const wanted = new Set(fips.map((f) => f.attrs.port_id).filter(Boolean));
  const portList = wanted.size ? await ctx.store.list<PortAttrs>(KINDS.port) : [];
  const byId = new Map(portList.map((p) => [p.id, p]));
  return fips.map((f) => fipView(f, f.attrs.port_id ? byId.get(f.attrs.port_id) : undefined));
}

const floatingIps: Collection = {
  singular: 'floatingip',
  plural: 'floatingips',
  async list(ctx) {
    return fipViews(ctx, (await ctx.store.list<FipAttrs>(KINDS.floatingip)).filter((f) => isOwner(ctx, f)));
  },
  show: async (ctx, id) => (await fipViews(ctx, [await visibleFip(ctx, id)]))[0] as View,
  async create(ctx, b) {
    const { fip, port } = await createFloatingIp(ctx, b);
    return fipView(fip, port);
  },
  async update(ctx, id, b) {
    const { fip, port } = await updateFloatingIp(ctx, id, b);
    return fipView(fip, port);
  },
  remove: (ctx, id) => deleteFloatingIp(ctx, id),
  async tagged(ctx, id) {
    return { rec: await visibleFip(ctx, id), kind: KINDS.floatingip };
  },
};

const subnetPools: Collection = {
  singular: 'subnetpool',
  plural: 'subnetpools',
  async list(ctx) {
    return (await ctx.store.list<PoolAttrs>(KINDS.subnetpool)).filter((p) => canSeePool(ctx, p)).map(poolView);
  },
  show: async (ctx, id) => poolView(await visiblePool(ctx, id)),
  create: async (ctx, b) => poolView(await createPool(ctx, b)),
  update: async (ctx, id, b) => poolView(await updatePool(ctx, id, b)),
  remove: (ctx, id) => deletePool(ctx, id),
  async tagged(ctx, id) {
    const rec = await visiblePool(ctx, id);
    assertOwner(ctx, rec, 'subnetpool');
    return { rec, kind: KINDS.subnetpool };
  },
};

export const COLLECTIONS: Collection[] = [networks, subnets, ports, securityGroups, rules, routers, floatingIps, subnetPools];

/** URL segment of a collection (`security-groups`, `floatingips`). */
export const segmentOf = (c: Collection) => c.plural.replaceAll('_', '-');

export const bodyError = (singular: string) => badRequest(`Resource body required: ${singular}`);
