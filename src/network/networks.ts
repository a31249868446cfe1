import { forbidden } from '../core/faults.ts';
import { slug } from '../core/names.ts';
import { AlreadyExistsError, R } from '../kube/index.ts';
import { type NetContext, isOwner, nfault, targetProject, writer } from './context.ts';
import { type Cidr, type Pool, defaultPools, formatIp, parseCidr, parseIp } from './ip.ts';
import type { View } from './query.ts';
import { type Attrs, KINDS, MANAGED, NL, type Rec, standardFields } from './store.ts';
import { type Body, bool, onlyKeys, str, strList } from './validate.ts';

// Networks. A tenant network is a Multus NetworkAttachmentDefinition in the project's
// namespace whose CNI config comes from the region's template; the cluster pod network and
// the external network `public` (LoadBalancer addresses) are pre-existing, created by the
// gateway in its own namespace the first time the region's network API is used.

export const INFRA_NS = 'dicot-network';
export const POD_NETWORK = 'pod-network';
export const PUBLIC_NETWORK = 'public';

export interface NetworkAttrs extends Attrs {
  name: string;
  description: string;
  admin_state_up: boolean;
  shared: boolean;
  external: boolean;
  mtu: number;
  port_security_enabled: boolean;
  availability_zone_hints: string[];
  tags: string[];
  /** `pod` for the cluster pod network, `external` for `public`. */
  infra?: 'pod' | 'external';
}

export type NetworkRec = Rec<NetworkAttrs>;

export function networkView(r: NetworkRec, subnetIds: string[]): View {
  const a = r.attrs;
  return {
    ...standardFields(r),
    name: a.name ?? '',
    admin_state_up: a.admin_state_up ?? true,
    status: 'ACTIVE',
    subnets: subnetIds,
    shared: a.shared ?? false,
    'router:external': a.external ?? false,
    mtu: a.mtu,
    port_security_enabled: a.port_security_enabled ?? true,
    availability_zone_hints: a.availability_zone_hints ?? [],
    availability_zones: ['nova'],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    l2_adjacency: true,
  };
}

export const canSeeNetwork = (ctx: NetContext, r: NetworkRec) => isOwner(ctx, r) || r.attrs.shared || r.attrs.external;
export const networkNotFound = (id: string) => nfault(404, 'NetworkNotFound', `Network ${id} could not be found.`);

/** Renders the CNI config template with the network's first IPv4 subnet (no IPAM without one). */
export function renderCni(template: string, v: { name: string; namespace: string; subnet?: { cidr: Cidr; gateway: string | null; pools: Pool[] } }): string {
  const range = v.subnet ? `${formatIp({ version: v.subnet.cidr.version, value: v.subnet.cidr.base })}/${v.subnet.cidr.prefix}` : '';
  const text = template
    .replaceAll('{{name}}', v.name)
    .replaceAll('{{namespace}}', v.namespace)
    .replaceAll('{{short}}', v.name.slice(-10))
    .replaceAll('{{range}}', range)
    .replaceAll('{{gateway}}', v.subnet?.gateway ?? '');
  const cfg = JSON.parse(text) as { plugins?: Record<string, unknown>[] } & Record<string, unknown>;
  for (const p of cfg.plugins ?? [cfg]) {
    const ipam = p.ipam as Record<string, unknown> | undefined;
    if (!ipam) continue;
    if (!v.subnet) {
      delete p.ipam;
      continue;
    }
    // Addresses outside the pools (and the gateway) are excluded from the CNI's own IPAM.
    if (ipam.exclude !== undefined) ipam.exclude = excludeList(v.subnet.cidr, v.subnet.gateway, v.subnet.pools);
  }
  return JSON.stringify(cfg);
}

function excludeList(c: Cidr, gateway: string | null, pools: Pool[]): string[] {
  const out: string[] = [];
  const bits = c.version === 4 ? 32 : 128;
  if (gateway) out.push(`${gateway}/${bits}`);
  const ranges = pools.map((p) => [parseIp(p.start)?.value ?? 0n, parseIp(p.end)?.value ?? 0n] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  // Gaps between pools become excluded addresses when they are few (a subnet's edges).
  let at = c.base + 1n;
  for (const [s, e] of ranges) {
    for (let x = at; x < s && out.length < 64; x++) out.push(`${formatIp({ version: c.version, value: x })}/${bits}`);
    at = e + 1n;
  }
  return [...new Set(out)];
}

const NETWORK_KEYS = ['name', 'description', 'admin_state_up', 'shared', 'router:external', 'mtu', 'port_security_enabled', 'availability_zone_hints', 'tenant_id', 'project_id', 'tags'];

export function networkAttrs(ctx: NetContext, b: Body, cur?: NetworkAttrs): NetworkAttrs {
  onlyKeys(b, cur ? NETWORK_KEYS.filter((k) => k !== 'tenant_id' && k !== 'project_id' && k !== 'tags') : NETWORK_KEYS, 'network');
  const shared = bool(b, 'shared');
  const external = bool(b, 'router:external');
  if ((shared !== undefined && shared !== (cur?.shared ?? false)) || (external !== undefined && external !== (cur?.external ?? false))) {
    if (!ctx.caller.isAdmin) throw forbidden(`(rule:${cur ? 'update' : 'create'}_network:${shared !== undefined ? 'shared' : 'router:external'}) is disallowed by policy`, { type: 'PolicyNotAuthorized' });
  }
  const mtu = b.mtu;
  if (mtu !== undefined && (typeof mtu !== 'number' || !Number.isInteger(mtu) || mtu < 68 || mtu > ctx.options.mtu)) {
    throw nfault(400, 'InvalidInput', `Invalid input for operation: Requested MTU is too big, maximum is ${ctx.options.mtu}.`);
  }
  return {
    name: str(b, 'name') ?? cur?.name ?? '',
    description: str(b, 'description') ?? cur?.description ?? '',
    admin_state_up: bool(b, 'admin_state_up') ?? cur?.admin_state_up ?? true,
    shared: shared ?? cur?.shared ?? false,
    external: external ?? cur?.external ?? false,
    mtu: (mtu as number | undefined) ?? cur?.mtu ?? ctx.options.mtu,
    port_security_enabled: bool(b, 'port_security_enabled') ?? cur?.port_security_enabled ?? true,
    availability_zone_hints: strList(b, 'availability_zone_hints') ?? cur?.availability_zone_hints ?? [],
    tags: cur?.tags ?? strList(b, 'tags') ?? [],
    ...(cur?.infra ? { infra: cur.infra } : {}),
  };
}

/** The NAD body for a network (its CNI config), given its first IPv4 subnet if any. */
export function nadBody(ctx: NetContext, object: string, namespace: string, subnet?: { cidr: string; gateway_ip: string | null; allocation_pools: Pool[] }, infra?: string) {
  if (infra) return { spec: { config: JSON.stringify({ cniVersion: '0.3.1', name: object, type: infra === 'pod' ? 'dicot-pod-network' : 'dicot-external' }) } };
  const cidr = subnet ? parseCidr(subnet.cidr) : undefined;
  return {
    spec: {
      config: renderCni(ctx.options.cniTemplate, {
        name: object,
        namespace,
        ...(cidr && subnet ? { subnet: { cidr, gateway: subnet.gateway_ip, pools: subnet.allocation_pools } } : {}),
      }),
    },
  };
}

export async function createNetwork(ctx: NetContext, b: Body): Promise<NetworkRec> {
  const projectId = targetProject(ctx, b);
  const attrs = networkAttrs(ctx, b);
  const namespace = await ctx.namespaceOf(projectId);
  const object = `${slug(attrs.name, 40, 'net')}-${crypto.randomUUID().slice(0, 6)}`;
  return ctx.store.create(KINDS.network, writer(ctx, projectId), attrs, { namespace, name: object, projectId, body: nadBody(ctx, object, namespace) });
}

/** The shared pod network and the external network, with their subnets (idempotent). */
const infraDone = new WeakMap<object, Promise<void>>();
export function ensureInfra(ctx: NetContext): Promise<void> {
  let p = infraDone.get(ctx.gw);
  if (!p) {
    p = createInfra(ctx);
    infraDone.set(ctx.gw, p);
    p.catch(() => infraDone.delete(ctx.gw));
  }
  return p;
}

async function createInfra(ctx: NetContext): Promise<void> {
  try {
    await ctx.gw.create(R.namespaces, { metadata: { name: INFRA_NS, labels: { ...MANAGED } } });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
  const existing = await ctx.store.list<NetworkAttrs>(KINDS.network, undefined, INFRA_NS);
  const want: { object: string; infra: 'pod' | 'external'; cidr: string; gateway: string | null }[] = [
    { object: POD_NETWORK, infra: 'pod', cidr: ctx.options.podCidr, gateway: null },
    { object: PUBLIC_NETWORK, infra: 'external', cidr: ctx.options.externalCidr, gateway: ctx.options.externalGateway },
  ];
  for (const w of want) {
    let net = existing.find((n) => n.object === w.object);
    if (!net) {
      const attrs: NetworkAttrs = {
        name: w.object,
        description: w.infra === 'pod' ? 'The cluster pod network' : 'External network (LoadBalancer addresses)',
        admin_state_up: true,
        shared: w.infra === 'pod',
        external: w.infra === 'external',
        mtu: ctx.options.mtu,
        port_security_enabled: true,
        availability_zone_hints: [],
        tags: [],
        infra: w.infra,
      };
      try {
        net = await ctx.store.create(KINDS.network, ctx.gw, attrs, { namespace: INFRA_NS, name: w.object, projectId: '', body: nadBody(ctx, w.object, INFRA_NS, undefined, w.infra) });
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        net = (await ctx.store.list<NetworkAttrs>(KINDS.network, undefined, INFRA_NS)).find((n) => n.object === w.object);
      }
    }
    if (!net) continue;
    const cidr = parseCidr(w.cidr);
    if (!cidr) throw new Error(`bad ${w.infra} CIDR ${w.cidr}`);
    try {
      await ctx.store.create(
        KINDS.subnet,
        ctx.gw,
        {
          name: `${w.object}-subnet`,
          description: '',
          network_id: net.id,
          ip_version: cidr.version,
          cidr: w.cidr,
          gateway_ip: w.gateway,
          allocation_pools: defaultPools(cidr, w.gateway),
          host_routes: [],
          dns_nameservers: [],
          enable_dhcp: w.infra === 'pod',
          ipv6_ra_mode: null,
          ipv6_address_mode: null,
          tags: [],
        },
        {
          namespace: INFRA_NS,
          name: `${w.object}-subnet`,
          projectId: '',
          labels: { [NL.networkId]: net.id },
          ownerReferences: [{ apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', name: net.object, uid: net.id }],
        },
      );
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }
}

/** The network with this id if the caller may see it (404 otherwise). */
export async function visibleNetwork(ctx: NetContext, id: string): Promise<NetworkRec> {
  const n = await ctx.store.find<NetworkAttrs>(KINDS.network, id);
  if (!n || !canSeeNetwork(ctx, n)) throw networkNotFound(id);
  return n;
}

export function assertOwner(ctx: NetContext, r: Rec, what: string): void {
  if (!isOwner(ctx, r)) throw forbidden(`(rule:update_${what}) is disallowed by policy`, { type: 'PolicyNotAuthorized' });
}
