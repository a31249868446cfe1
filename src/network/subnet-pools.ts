import { badRequest } from '../core/faults.ts';
import { AlreadyExistsError } from '../kube/index.ts';
import { type NetContext, isOwner, nfault, targetProject, writer } from './context.ts';
import { type Cidr, addressKey, cidrSize, formatCidr, lastOf, overlaps, parseCidr } from './ip.ts';
import { assertOwner } from './networks.ts';
import type { View } from './query.ts';
import { type Attrs, KINDS, NL, type Rec, standardFields } from './store.ts';
import { type Body, bool, onlyKeys, str, strList } from './validate.ts';

// Subnet pools (subnet_allocation): Dicot `SubnetPool` objects holding prefixes; a subnet
// created from a pool gets the first free block of the asked length. The block is claimed
// like an address (an IPAllocation named after the pool and the block), so two creates
// racing for one block get distinct blocks.

export interface PoolAttrs extends Attrs {
  name: string;
  description: string;
  prefixes: string[];
  ip_version: 4 | 6;
  default_prefixlen: number;
  min_prefixlen: number;
  max_prefixlen: number;
  shared: boolean;
  is_default: boolean;
  tags: string[];
}

export type PoolRec = Rec<PoolAttrs>;
export const poolNotFound = (id: string) => nfault(404, 'SubnetPoolNotFound', `Subnet pool ${id} could not be found.`);
export const POOL_LABEL = 'openstack.dicot.io/subnetpool-id';

export function poolView(p: PoolRec): View {
  const a = p.attrs;
  return {
    ...standardFields(p),
    name: a.name,
    prefixes: a.prefixes,
    ip_version: a.ip_version,
    default_prefixlen: a.default_prefixlen,
    min_prefixlen: a.min_prefixlen,
    max_prefixlen: a.max_prefixlen,
    shared: a.shared,
    is_default: a.is_default,
    address_scope_id: null,
    default_quota: null,
  };
}

export const canSeePool = (ctx: NetContext, p: PoolRec) => isOwner(ctx, p) || p.attrs.shared;

function intIn(b: Body, key: string, min: number, max: number): number | undefined {
  const v = b[key];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw badRequest(`Invalid input for ${key}. Reason: '${String(v)}' is not in range ${min} through ${max}.`);
  return n;
}

function prefixesOf(b: Body): Cidr[] | undefined {
  const list = strList(b, 'prefixes');
  if (list === undefined) return undefined;
  if (!list.length) throw badRequest('Invalid input for prefixes. Reason: at least one prefix is required.');
  const cidrs = list.map((p) => {
    const c = parseCidr(p);
    if (!c || !p.includes('/')) throw badRequest(`Invalid input for prefixes. Reason: '${p}' is not a valid IP subnet.`);
    return c;
  });
  if (new Set(cidrs.map((c) => c.version)).size > 1) throw nfault(400, 'PrefixVersionMismatch', 'Cannot mix IPv4 and IPv6 prefixes in a subnet pool.');
  return cidrs;
}

function lengths(b: Body, version: 4 | 6, cur?: PoolAttrs) {
  const bits = version === 4 ? 32 : 128;
  const min = intIn(b, 'min_prefixlen', 0, bits) ?? cur?.min_prefixlen ?? (version === 4 ? 8 : 64);
  const max = intIn(b, 'max_prefixlen', 0, bits) ?? cur?.max_prefixlen ?? bits;
  const def = intIn(b, 'default_prefixlen', 0, bits) ?? cur?.default_prefixlen ?? min;
  if (!(min <= def && def <= max)) throw nfault(400, 'InvalidInput', 'Invalid input for operation: Illegal prefix bounds: min_prefixlen <= default_prefixlen <= max_prefixlen is required.');
  return { min_prefixlen: min, max_prefixlen: max, default_prefixlen: def };
}

const KEYS = ['name', 'description', 'prefixes', 'default_prefixlen', 'min_prefixlen', 'max_prefixlen', 'shared', 'is_default', 'tenant_id', 'project_id', 'tags', 'address_scope_id', 'default_quota'];

export async function createPool(ctx: NetContext, b: Body): Promise<PoolRec> {
  onlyKeys(b, KEYS, 'subnetpool');
  const projectId = targetProject(ctx, b);
  const cidrs = prefixesOf(b);
  if (!cidrs) throw badRequest("Failed to parse request. Required attribute 'prefixes' not specified");
  const shared = bool(b, 'shared') ?? false;
  if ((shared || bool(b, 'is_default')) && !ctx.caller.isAdmin) throw nfault(403, 'PolicyNotAuthorized', 'rule:create_subnetpool:shared is disallowed by policy');
  const version = (cidrs[0] as Cidr).version;
  const attrs: PoolAttrs = {
    name: str(b, 'name') ?? '',
    description: str(b, 'description') ?? '',
    prefixes: cidrs.map(formatCidr),
    ip_version: version,
    ...lengths(b, version),
    shared,
    is_default: bool(b, 'is_default') ?? false,
    tags: strList(b, 'tags') ?? [],
  };
  const namespace = await ctx.namespaceOf(projectId);
  return ctx.store.create(KINDS.subnetpool, writer(ctx, projectId), attrs, { namespace, generateName: 'subnetpool-', projectId });
}

export async function visiblePool(ctx: NetContext, id: string): Promise<PoolRec> {
  const p = await ctx.store.find<PoolAttrs>(KINDS.subnetpool, id);
  if (!p || !canSeePool(ctx, p)) throw poolNotFound(id);
  return p;
}

export async function updatePool(ctx: NetContext, id: string, b: Body): Promise<PoolRec> {
  const p = await visiblePool(ctx, id);
  assertOwner(ctx, p, 'subnetpool');
  onlyKeys(b, KEYS.filter((k) => !['tenant_id', 'project_id', 'tags', 'shared'].includes(k)), 'subnetpool');
  const cidrs = prefixesOf(b);
  if (cidrs) {
    // Prefixes may grow, never shrink (Neutron's rule).
    for (const old of p.attrs.prefixes.map((x) => parseCidr(x) as Cidr)) {
      if (!cidrs.some((c) => c.version === old.version && c.base <= old.base && lastOf(c) >= lastOf(old))) throw nfault(400, 'IllegalSubnetPoolPrefixUpdate', `Illegal update to prefixes: ${formatCidr(old)} would be removed.`);
    }
  }
  return ctx.store.update(KINDS.subnetpool, writer(ctx, p.projectId), p, (cur) => ({
    attrs: {
      ...cur.attrs,
      name: str(b, 'name') ?? cur.attrs.name,
      description: str(b, 'description') ?? cur.attrs.description,
      ...(cidrs ? { prefixes: cidrs.map(formatCidr) } : {}),
      ...lengths(b, cur.attrs.ip_version, cur.attrs),
      is_default: bool(b, 'is_default') ?? cur.attrs.is_default,
    },
  }));
}

export async function deletePool(ctx: NetContext, id: string): Promise<void> {
  const p = await visiblePool(ctx, id);
  assertOwner(ctx, p, 'subnetpool');
  const used = await ctx.store.list(KINDS.subnet, `${POOL_LABEL}=${p.id}`);
  if (used.length) throw nfault(409, 'SubnetPoolInUse', `Subnet pool ${id} could not be deleted: it has allocated subnets.`);
  await ctx.store.remove(KINDS.subnetpool, writer(ctx, p.projectId), p);
}

/**
 * A CIDR for a subnet from the pool: the asked one (inside a prefix, free) or the first free
 * block of `prefixlen`. The block is claimed (IPAllocation named after pool and block).
 */
export async function allocateFromPool(ctx: NetContext, pool: PoolRec, claimFor: string, asked: string | undefined, prefixlen: number | undefined): Promise<{ cidr: string; claim: string }> {
  const a = pool.attrs;
  const len = prefixlen ?? (asked ? parseCidr(asked)?.prefix : undefined) ?? a.default_prefixlen;
  if (len < a.min_prefixlen || len > a.max_prefixlen) throw nfault(400, 'IllegalSubnetPrefixLength', `Illegal prefix length ${len}: must be between ${a.min_prefixlen} and ${a.max_prefixlen}.`);
  const prefixes = a.prefixes.map((x) => parseCidr(x) as Cidr);
  const taken = (await ctx.store.list(KINDS.subnet, `${POOL_LABEL}=${pool.id}`)).map((s) => parseCidr(String(s.attrs.cidr))).filter((c): c is Cidr => !!c);
  const candidates: Cidr[] = [];
  if (asked) {
    const c = parseCidr(asked);
    if (!c || !prefixes.some((p) => c.version === p.version && c.base >= p.base && lastOf(c) <= lastOf(p))) throw nfault(400, 'InvalidInput', `Invalid input for operation: ${asked} is not within the subnet pool's prefixes.`);
    candidates.push({ ...c, prefix: len });
  } else {
    for (const p of prefixes) {
      if (p.prefix > len) continue;
      const step = cidrSize({ version: p.version, base: 0n, prefix: len });
      for (let base = p.base; base + step - 1n <= lastOf(p) && candidates.length < 256; base += step) {
        const c: Cidr = { version: p.version, base, prefix: len };
        if (!taken.some((t) => overlaps(t, c))) candidates.push(c);
      }
    }
  }
  for (const c of candidates) {
    if (taken.some((t) => overlaps(t, c))) continue;
    const claim = `pool-${pool.id}-${addressKey({ version: c.version, value: c.base })}-${c.prefix}`;
    try {
      await ctx.store.create(KINDS.ipallocation, ctx.gw, { subnet_id: pool.id, network_id: '', address: formatCidr(c), port_id: claimFor }, {
        namespace: pool.namespace,
        name: claim,
        projectId: pool.projectId,
        labels: { [NL.subnetId]: pool.id, [NL.portId]: claimFor },
      });
      return { cidr: formatCidr(c), claim: claimFor };
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }
  throw nfault(409, 'SubnetAllocationError', `Failed to allocate subnet: no free /${len} block in subnet pool ${pool.id}.`);
}
